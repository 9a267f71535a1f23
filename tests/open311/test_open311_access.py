"""Roles and jurisdiction on the Open311 paths. The URL-enumeration test of tests/access covers
/api/ and /tiles/ only, and its matrix expects the API's error format, so Open311 has its own
table here: public GETs are identical for every role; creating needs an api_key with
open311:write (a session, any role, is not enough); a key bound to units creates only there."""
import pytest

from access.models import ApiToken
from incidents.models import Incident
from layers import selectors
from open311.models import Submission
from tests.access.conftest import INSIDE, OUTSIDE, ROLES, TODAY, client_as, world  # noqa: F401
from tests.open311.conftest import FAR_AWAY, make_key, post, report
from tests.open311.open311_checks import BASE, assert_spec_error

pytestmark = pytest.mark.django_db


def _post_body(lon_lat, **extra) -> dict:
    return {"service_code": "an-ninh-trat-tu", "lat": lon_lat[1], "long": lon_lat[0],
            "description": "Tụ tập gây rối", **extra}


def test_public_gets_are_identical_for_every_role(client_as, world):  # noqa: F811
    inside, outside = report(lon_lat=INSIDE), report(lon_lat=OUTSIDE)
    paths = ["discovery.json", "services.json", "services/an-ninh-trat-tu.xml", "requests.json",
             "requests.xml?status=open", f"requests/{inside.public_id}.json",
             f"requests/{outside.public_id}.xml", f"tokens/{outside.public_id}.json"]
    key = make_key(scopes=["open311:write", "layers:read"])
    answers = {}
    for role in ROLES:
        client = client_as(role)
        answers[role] = [client.get(f"{BASE}/{path}").content for path in paths]
        # A token in the Authorization header changes nothing either.
        header = client_as("anonymous")
        header.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert [header.get(f"{BASE}/{path}").content for path in paths] == answers[role]
    assert all(answer == answers["anonymous"] for answer in answers.values())
    assert all(b'"code"' not in a for a in answers["anonymous"])


@pytest.mark.parametrize("role", ROLES)
def test_no_role_creates_without_an_api_key(client_as, world, role):  # noqa: F811
    assert_spec_error(post(client_as(role), **_post_body(INSIDE)), 403)
    assert not Incident.objects.exists()


def test_a_key_needs_the_open311_scope(client, world):  # noqa: F811
    for scopes in (["layers:read"], ["reports:submit"], [f"layers:write:{world.public.slug}"]):
        assert_spec_error(post(client, api_key=make_key(scopes=scopes),
                               **_post_body(INSIDE)), 403)
    assert not Incident.objects.exists()


def test_a_key_bound_to_a_unit_creates_only_inside_it(client, world):  # noqa: F811
    unit = selectors.unit_get(code=world.inside_commune, day=TODAY)
    key = make_key(units=[unit])
    inside = post(client, api_key=key, **_post_body(INSIDE))
    assert inside.status_code == 200, inside.content
    created = Incident.objects.get(public_id=inside.json()[0]["service_request_id"])
    assert created.commune_code == world.inside_commune

    (entry,) = assert_spec_error(post(client, api_key=key, **_post_body(OUTSIDE)), 400)
    assert "phạm vi của khóa API" in entry["description"]
    # Nothing of the refused request stays: no incident, no event, no map feature.
    assert Incident.objects.count() == Submission.objects.count() == 1
    from layers.models import Feature
    assert Feature.objects.filter(layer__slug="incidents").count() == 1
    # Outside the province entirely, the province's own error comes first.
    (entry,) = assert_spec_error(post(client, api_key=key, **_post_body(FAR_AWAY)), 400)
    assert "ngoài địa bàn tỉnh Thanh Hóa" in entry["description"]


def test_an_unbound_key_creates_anywhere_in_the_province(client, world):  # noqa: F811
    key = make_key()
    for lon_lat in (INSIDE, OUTSIDE):
        assert post(client, api_key=key, **_post_body(lon_lat)).status_code == 200
    assert Incident.objects.filter(channel="open311").count() == 2


def test_a_key_of_a_bound_account_inherits_its_units(client, world):  # noqa: F811
    from access.models import Jurisdiction

    key = make_key()
    user = ApiToken.objects.get(prefix=key.split(".")[0]).user
    Jurisdiction.objects.create(user=user).units.set(
        [selectors.unit_get(code=world.inside_commune, day=TODAY)])
    assert post(client, api_key=key, **_post_body(INSIDE)).status_code == 200
    assert_spec_error(post(client, api_key=key, **_post_body(OUTSIDE)), 400)
