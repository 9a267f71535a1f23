"""The incident socket /ws/incidents/ on the in-memory channel layer: who may connect, what each
principal receives, and that events carry no personal data and arrive only after commit."""
import asyncio
import json
import time
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.principal import principal_for_user
from incidents import realtime
from incidents.models import Incident
from incidents.selectors import incident_scope
from tests.access.conftest import INSIDE, OUTSIDE
from tests.live.sockets import (EVENT_FIELDS, PERSONAL, api_token, asubmit, close_code,
                                communicator, events_of, open_feed, run, session_cookie)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keep_test_connection",
                                                             "fresh_layer")]


def test_a_province_wide_user_gets_a_new_report_after_commit_and_no_personal_data(
        user_of, django_capture_on_commit_callbacks):
    cookie = session_cookie(user_of("wall_display", units=()))

    async def scenario():
        feed = communicator(cookie=cookie)
        ready = await open_feed(feed)
        assert ready["scope"] == "province" and ready["layer"] == "incidents"
        incident, callbacks = await asubmit(django_capture_on_commit_callbacks, lon_lat=OUTSIDE,
                                            execute=False)
        assert await feed.receive_nothing(timeout=0.2)  # not committed yet: nothing
        started = time.perf_counter()
        await database_sync_to_async(lambda: [callback() for callback in callbacks])()
        raw = await feed.receive_from(timeout=1)
        elapsed = time.perf_counter() - started
        await feed.disconnect()
        return incident, raw, ready, elapsed

    incident, raw, ready, elapsed = run(scenario)
    event = json.loads(raw)
    assert set(event) == EVENT_FIELDS
    assert event["type"] == "incident.created" and event["id"] == incident.public_id
    assert (event["status"], event["category"], event["sector"], event["severity"]) == (
        "new", "an-ninh-trat-tu", "SECURITY", "medium")
    assert (event["lon"], event["lat"]) == OUTSIDE
    assert event["commune_code"] == incident.commune_code
    assert event["assigned_unit_code"] == incident.assigned_unit_code
    assert event["data_version"] > ready["data_version"]  # the map knows to refetch
    assert not any(value in raw for value in PERSONAL)
    assert elapsed < 1.0


def test_a_user_bound_to_commune_a_gets_events_of_a_and_not_of_b(
        user_of, communes, django_capture_on_commit_callbacks):
    cookie = session_cookie(user_of("unit_official"))

    async def scenario():
        feed = communicator(cookie=cookie)
        assert (await open_feed(feed))["scope"] == "units"
        inside, _ = await asubmit(django_capture_on_commit_callbacks, lon_lat=INSIDE)
        outside, _ = await asubmit(django_capture_on_commit_callbacks, lon_lat=OUTSIDE)
        events = await events_of(feed)
        await feed.disconnect()
        return inside, outside, events

    inside, outside, events = run(scenario)
    assert inside.commune_code == communes.a and outside.commune_code == communes.b
    assert [e["id"] for e in events] == [inside.public_id]


def test_sector_operators_get_only_their_sectors(user_of, django_capture_on_commit_callbacks):
    cookie = session_cookie(user_of("sector_operator", sectors=["HEALTH"]))

    async def scenario():
        feed = communicator(cookie=cookie)
        await open_feed(feed)
        await asubmit(django_capture_on_commit_callbacks, lon_lat=INSIDE)  # SECURITY
        events = await events_of(feed)
        await feed.disconnect()
        return events

    assert run(scenario) == []


def test_transitions_merges_and_escalations_reach_the_socket(
        user_of, django_capture_on_commit_callbacks):
    from incidents.services import (incident_merge, incident_transition,
                                    incidents_escalate_overdue)

    admin = user_of("administrator", units=())
    device = TOTPDevice.objects.create(user=admin, name="test", confirmed=True)
    cookie = session_cookie(admin, otp_device=device)
    staff = principal_for_user(admin)

    def workflow():
        first, _ = submit_sync(OUTSIDE)
        second, _ = submit_sync(OUTSIDE)
        with django_capture_on_commit_callbacks(execute=True):
            incident_transition(principal=staff, public_id=first.public_id, to_status="verified")
        with django_capture_on_commit_callbacks(execute=True):
            incident_merge(principal=staff, public_id=second.public_id,
                           into_public_id=first.public_id)
        Incident.objects.filter(pk=first.pk).update(due_at=timezone.now() - timedelta(hours=1))
        with django_capture_on_commit_callbacks(execute=True):
            assert incidents_escalate_overdue() == 1
        return first, second

    def submit_sync(lon_lat):
        from tests.live.sockets import submit

        return submit(django_capture_on_commit_callbacks, lon_lat=lon_lat)

    async def scenario():
        feed = communicator(cookie=cookie)
        await open_feed(feed)
        first, second = await database_sync_to_async(workflow)()
        events = await events_of(feed)
        await feed.disconnect()
        return first, second, events

    first, second, events = run(scenario)
    seen = [(e["type"], e["id"], e["status"], e["escalated"], e["overdue"]) for e in events]
    assert seen == [
        ("incident.created", first.public_id, "new", False, False),
        ("incident.created", second.public_id, "new", False, False),
        ("incident.updated", first.public_id, "verified", False, False),
        ("incident.updated", second.public_id, "duplicate", False, False),
        ("incident.updated", first.public_id, "verified", True, True),
    ]
    versions = [e["data_version"] for e in events]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)


@pytest.mark.parametrize("case", ["anonymous", "citizen", "admin-without-second-factor",
                                  "session-idle-too-long", "bad-cookie"])
def test_who_is_not_signed_in_gets_4401_and_citizens_4403(user_of, case):
    from accounts.middleware import SESSION_LAST_ACTIVITY_KEY
    from tests.access.conftest import make_user

    cookie = None
    expected = 4401
    if case == "citizen":
        cookie, expected = session_cookie(make_user("citizen")), 4403
    elif case == "admin-without-second-factor":
        admin = user_of("administrator", units=())
        TOTPDevice.objects.create(user=admin, name="test", confirmed=True)
        cookie = session_cookie(admin)  # password only
    elif case == "session-idle-too-long":
        cookie = session_cookie(user_of("wall_display", units=()))
        from django.contrib.sessions.backends.db import SessionStore

        session = SessionStore(cookie.split("=", 1)[1])
        session[SESSION_LAST_ACTIVITY_KEY] = int(time.time()) - 31 * 60
        session.save()
    elif case == "bad-cookie":
        cookie = "sessionid=not-a-session"
    assert run(close_code, communicator(cookie=cookie)) == expected


def test_staff_without_ground_get_4403(django_user_model):
    official = django_user_model.objects.create_user("khong-dia-ban", password="x")
    official.groups.add(Group.objects.get(name="unit_official"))  # no jurisdiction row
    assert run(close_code, communicator(cookie=session_cookie(official))) == 4403


def test_tokens_need_the_read_scope_and_a_role_that_reads_incidents(user_of, communes,
                                                                    django_capture_on_commit_callbacks):
    from tests.access.conftest import make_user

    wall = user_of("wall_display", units=())
    _, without_scope = api_token(wall, ["reports:submit"])
    _, bound = api_token(wall, ["layers:read"], units=[communes.a_unit])
    _, integration = api_token(make_user("integration_client"), ["layers:read"])
    revoked, revoked_key = api_token(wall, ["layers:read"])
    revoked.revoked_at = timezone.now()
    revoked.save()

    async def scenario():
        codes = [await close_code(communicator(token=without_scope)),
                 await close_code(communicator(token=integration)),
                 await close_code(communicator(token=revoked_key)),
                 await close_code(communicator(token="AbCdEfGh.not-the-secret"))]
        feed = communicator(token=bound, origin=None)  # a server-side client: no Origin
        ready = await open_feed(feed)
        inside, _ = await asubmit(django_capture_on_commit_callbacks, lon_lat=INSIDE)
        await asubmit(django_capture_on_commit_callbacks, lon_lat=OUTSIDE)
        events = await events_of(feed)
        await feed.disconnect()
        header = communicator(authorization=f"Token {bound}", origin=None)
        await open_feed(header)
        await header.disconnect()
        return codes, ready, inside, events

    codes, ready, inside, events = run(scenario)
    assert codes == [4403, 4403, 4401, 4401]
    assert ready["scope"] == "units"  # the token's units narrow the wall's province
    assert [e["id"] for e in events] == [inside.public_id]


def test_the_origin_must_be_ours_and_cookies_need_one(user_of):
    cookie = session_cookie(user_of("wall_display", units=()))

    async def scenario():
        foreign = await close_code(communicator(cookie=cookie, origin=b"https://evil.example"))
        no_origin = await close_code(communicator(cookie=cookie, origin=None))
        unknown = await close_code(communicator(cookie=cookie, path="/ws/nothing/"))
        return foreign, no_origin, unknown

    assert run(scenario) == (403, 4401, 4404)


def test_open_sockets_close_on_logout_and_revocation_and_follow_new_ground(
        settings, user_of, communes, django_capture_on_commit_callbacks):
    settings.IOC_LIVE_RECHECK_SECONDS = 0.2
    official = user_of("unit_official")
    cookie = session_cookie(official)
    wall = user_of("wall_display", units=())
    token, key = api_token(wall, ["layers:read"])
    logged_out = session_cookie(user_of("planner", units=()))

    def logout():
        from django.contrib.sessions.backends.db import SessionStore

        SessionStore(logged_out.split("=", 1)[1]).delete()

    def widen():
        from access.principal import principals_forget

        official.jurisdiction.units.add(communes.b_unit)
        principals_forget()

    def revoke():
        token.revoked_at = timezone.now()
        token.save()

    async def scenario():
        bound, by_token, planner = (communicator(cookie=cookie), communicator(token=key),
                                    communicator(cookie=logged_out))
        for feed in (bound, by_token, planner):
            await open_feed(feed)
        await database_sync_to_async(logout)()
        await database_sync_to_async(revoke)()
        await database_sync_to_async(widen)()
        await asyncio.sleep(0.6)
        closed = [(await planner.receive_output(timeout=1))["code"],
                  (await by_token.receive_output(timeout=1))["code"]]
        outside, _ = await asubmit(django_capture_on_commit_callbacks, lon_lat=OUTSIDE)
        events = await events_of(bound)
        await bound.disconnect()
        return closed, outside, events

    closed, outside, events = run(scenario)
    assert closed == [4401, 4401]
    assert [e["id"] for e in events] == [outside.public_id]  # commune B joined without reconnect


def test_pings_are_answered_and_anything_else_ignored(user_of):
    cookie = session_cookie(user_of("wall_display", units=()))

    async def scenario():
        feed = communicator(cookie=cookie)
        await open_feed(feed)
        await feed.send_to(text_data="not json")
        await feed.send_json_to({"type": "subscribe", "group": "incidents.province"})
        await feed.send_json_to({"type": "ping"})
        answer = await feed.receive_json_from()
        quiet = await feed.receive_nothing(timeout=0.1)
        await feed.disconnect()
        return answer, quiet

    assert run(scenario) == ({"type": "pong"}, True)


def test_event_visibility_is_the_incident_scope(user_of, communes, django_user_model,
                                                django_capture_on_commit_callbacks):
    """The socket's rule and the API's rule agree for every role and for incidents inside,
    outside, and outside but assigned to the inside commune."""
    from tests.access.conftest import ROLE_SECTORS, ROLES
    from tests.live.sockets import submit

    inside, _ = submit(django_capture_on_commit_callbacks, lon_lat=INSIDE)
    outside, _ = submit(django_capture_on_commit_callbacks, lon_lat=OUTSIDE)
    handed, _ = submit(django_capture_on_commit_callbacks, lon_lat=OUTSIDE, category="khac")
    Incident.objects.filter(pk=handed.pk).update(assigned_unit_code=communes.a)
    handed.refresh_from_db()
    principals = [principal_for_user(user_of(role, sectors=ROLE_SECTORS.get(role)))
                  for role in ROLES if role != "anonymous"]
    wall = django_user_model.objects.create_user("chu-khoa-api", password=None)
    wall.groups.add(Group.objects.get(name="wall_display"))
    principals.append(principal_for_user(wall, api_token(wall, ["layers:read"],
                                                         units=[communes.a_unit])[0]))
    checked = 0
    for principal in principals:
        for incident in (inside, outside, handed):
            event = realtime.incident_event(kind="incident.updated", incident=incident)
            by_rows = Incident.objects.filter(incident_scope(principal=principal),
                                              pk=incident.pk).exists()
            assert realtime.event_visible(principal, event) == by_rows, (principal, incident)
            if by_rows:
                assert set(realtime.principal_groups(principal)) & realtime.event_groups(event)
            checked += 1
    assert checked == 30


def test_publishing_survives_a_broker_that_is_down(settings, caplog,
                                                   django_capture_on_commit_callbacks):
    settings.CHANNEL_LAYERS = {"default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": ["redis://127.0.0.1:9/0"], "prefix": "ioc-test-down"}}}
    from tests.live.sockets import submit

    started = time.perf_counter()
    incident, _ = submit(django_capture_on_commit_callbacks, lon_lat=INSIDE)
    assert time.perf_counter() - started < 3  # the request does not wait for the broker
    assert Incident.objects.filter(pk=incident.pk).exists()
    realtime.flush()
    assert any("live push of incident.created" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("config, secure, expected", [
    ({}, False, "ws://ioc.example.vn/ws/incidents/"),
    ({}, True, "wss://ioc.example.vn/ws/incidents/"),
    ({"IOC_LIVE_WS_PORT": 8001}, False, "ws://ioc.example.vn:8001/ws/incidents/"),
    ({"IOC_LIVE_WS_URL": "wss://live.example.vn/ws/incidents/", "IOC_LIVE_WS_PORT": 8001},
     False, "wss://live.example.vn/ws/incidents/"),
])
def test_pages_are_told_where_the_socket_is(settings, rf, config, secure, expected):
    from django.template import Context, Template

    settings.ALLOWED_HOSTS = ["ioc.example.vn"]
    for name, value in config.items():
        setattr(settings, name, value)
    request = rf.get("/", HTTP_HOST="ioc.example.vn:8000" if "IOC_LIVE_WS_PORT" in config
                     else "ioc.example.vn", secure=secure)
    html = Template("{% load live %}{% live_socket_meta %}").render(Context({"request": request}))
    assert html == f'<meta name="ioc-live-socket" content="{expected}">'


def test_the_csp_admits_a_socket_on_another_port_of_our_hosts():
    from ioc_gis.settings.live import _socket_sources

    assert _socket_sources(["127.0.0.1", ".example.vn", "[::1]"], 8001) == [
        "ws://127.0.0.1:8001", "wss://127.0.0.1:8001", "ws://*.example.vn:8001",
        "wss://*.example.vn:8001"]
