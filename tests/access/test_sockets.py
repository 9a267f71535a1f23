"""Roles and jurisdiction on the socket path: every role of the access matrix (bound to the
inside commune, sector roles to their sectors) connects to /ws/incidents/; a SECURITY incident
is then reported inside and one outside. Who is refused gets 4401/4403; who connects receives
exactly the incidents the REST API lists for them."""
import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from layers import selectors
from live.routing import websocket_urlpatterns
from tests.access.conftest import INSIDE, OUTSIDE, ROLE_SECTORS, ROLES, TODAY, make_user
from tests.access.matrix import PROVINCE_WIDE
from tests.live.sockets import (api_token, asubmit, close_code, communicator, events_of,
                                fresh_layer, keep_test_connection, open_feed, run,  # noqa: F401
                                session_cookie)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keep_test_connection",
                                                             "fresh_layer")]

BOTH, INSIDE_ONLY, NOTHING = {"in", "out"}, {"in"}, set()
# What each role's socket gets: a close code, or which of the two incidents it receives.
EXPECT: dict[str, int | set[str]] = {
    "anonymous": 4401,
    "citizen": 4403,
    **{role: BOTH for role in PROVINCE_WIDE},
    "sector_operator": INSIDE_ONLY,
    "other_sector_operator": NOTHING,  # HEALTH: connected, but the incidents are SECURITY
    "unit_official": INSIDE_ONLY,
    "field_staff": INSIDE_ONLY,
}
# Token principals: (role of the token's user, token bound to the inside commune?, scopes).
TOKENS = {
    "token-integration-client": ("integration_client", False, ["layers:read"]),
    "token-wall-without-scope": ("wall_display", False, ["reports:submit"]),
    "token-wall-province": ("wall_display", False, ["layers:read"]),
    "token-wall-inside": ("wall_display", True, ["layers:read"]),
}
EXPECT.update({"token-integration-client": 4403, "token-wall-without-scope": 4403,
               "token-wall-province": BOTH, "token-wall-inside": INSIDE_ONLY})
COVERED_SOCKETS = {"ws-incidents"}


def test_every_role_is_expected():
    assert set(EXPECT) == set(ROLES) | set(TOKENS)


def test_every_socket_route_is_in_this_matrix():
    named = {pattern.name for pattern in websocket_urlpatterns if pattern.name}
    assert named == COVERED_SOCKETS


def _connect_as(role: str, world) -> tuple[object, dict]:
    """(communicator, API client) of a principal; None client for the anonymous."""
    inside = selectors.unit_get(code=world.inside_commune, day=TODAY)
    if role in TOKENS:
        user_role, bound, scopes = TOKENS[role]
        user = make_user(user_role)
        _, key = api_token(user, scopes, units=[inside] if bound else [])
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return communicator(token=key, origin=None), api
    if role == "anonymous":
        return communicator(), APIClient()
    user = make_user(role, units=[inside], sectors=ROLE_SECTORS.get(role))
    device = None
    if role == "administrator":  # administrators must pass the second factor
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    api = APIClient()
    api.force_authenticate(user)
    return communicator(cookie=session_cookie(user, otp_device=device)), api


@pytest.mark.parametrize("role", list(EXPECT))
def test_who_may_follow_incidents_on_the_socket(world, role, django_capture_on_commit_callbacks):
    feed, api = _connect_as(role, world)
    expected = EXPECT[role]

    async def scenario():
        if isinstance(expected, int):
            return await close_code(feed)
        await open_feed(feed)
        inside, _ = await asubmit(django_capture_on_commit_callbacks, lon_lat=INSIDE)
        outside, _ = await asubmit(django_capture_on_commit_callbacks, lon_lat=OUTSIDE)
        events = await events_of(feed)
        await feed.disconnect()
        where = {inside.public_id: "in", outside.public_id: "out"}
        return where, [where[e["id"]] for e in events]

    result = run(scenario)
    if isinstance(expected, int):
        assert result == expected
        return
    where, received = result
    assert sorted(received) == sorted(expected)  # each once
    listed = api.get("/api/incidents/?limit=1000")
    assert listed.status_code == 200
    assert {where[i["id"]] for i in listed.json()["results"] if i["id"] in where} == expected
