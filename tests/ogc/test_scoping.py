"""Roles and jurisdiction on /ogc/: the same layers as /api/layers/, the same features and the
same properties as the feature API gives each caller (so private properties and personal data
stay where the feature API keeps them)."""
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.test import APIClient

from access.services import api_token_create
from layers import selectors
from tests.access.conftest import ROLES, TODAY
from tests.access.matrix import SEES_PRIVATE

pytestmark = pytest.mark.django_db
ADDED = ("observed_at", "commune_code")  # time and commune, as properties for GIS clients


def ogc_features(client, slug: str) -> dict:
    body = client.get(f"/ogc/collections/{slug}/items?limit=1000").json()
    return {f["id"]: {k: v for k, v in f["properties"].items() if k not in ADDED}
            for f in body["features"]}


def api_features(client, slug: str) -> dict:
    body = client.get(f"/api/layers/{slug}/features/?limit=1000").json()
    return {f["id"]: {k: v for k, v in f["properties"].items() if k not in ADDED}
            for f in body["results"]}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_feature_api_gives(world, client_as, role):
    client = client_as(role)
    listed = {c["id"] for c in client.get("/ogc/collections").json()["collections"]}
    assert (world.private.slug in listed) == (role in SEES_PRIVATE)
    assert world.public.slug in listed
    assert listed == {layer["slug"] for layer in client.get("/api/layers/").json()["results"]
                      if layer["slug"] != "admin-boundaries"}
    for layer in (world.public, world.private):
        if layer is world.private and role not in SEES_PRIVATE:
            assert client.get(f"/ogc/collections/{layer.slug}/items").status_code == 404
            continue
        assert ogc_features(client, layer.slug) == api_features(client, layer.slug)
        for feature_id in ogc_features(client, layer.slug):
            one = client.get(f"/ogc/collections/{layer.slug}/items/{feature_id}").json()
            assert {k: v for k, v in one["properties"].items() if k not in ADDED} == \
                api_features(client, layer.slug)[feature_id]


def test_private_properties_reach_only_those_with_the_right(world, client_as):
    assert "owner_phone" in ogc_features(client_as("province_leader"), world.private.slug)["in"]
    for role in ("anonymous", "planner", "wall_display"):
        assert "owner_phone" not in ogc_features(client_as(role), world.public.slug)["in"]


def test_bound_roles_page_through_their_ground_only(world, client_as):
    official = client_as("unit_official")
    assert set(ogc_features(official, world.private.slug)) == {"in"}
    assert set(ogc_features(client_as("province_leader"), world.private.slug)) == {"in", "out"}
    response = official.get(
        f"/ogc/collections/{world.private.slug}/items/out")
    assert response.status_code == 404 and response.json()["code"] == "NotFound"


@pytest.fixture
def integration_user(db):
    user = get_user_model().objects.create_user("ogc-doi-tac", password=None)
    user.groups.add(Group.objects.get(name="integration_client"))
    return user


def token_client(user, scopes, units=()) -> APIClient:
    _, key = api_token_create(name="GIS đối tác", user=user, scopes=scopes, units=units,
                              expires_at=timezone.now() + timedelta(days=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_reads_its_units_and_never_private_properties(world, integration_user):
    unit = selectors.unit_get(code=world.inside_commune, day=TODAY)
    client = token_client(integration_user, ["layers:read"], units=[unit])
    found = ogc_features(client, world.private.slug)
    assert set(found) == {"in"} and "owner_phone" not in found["in"]


def test_a_token_without_the_scope_is_403_and_a_bad_one_401(world, integration_user):
    response = token_client(integration_user, ["reports:submit"]).get("/ogc/collections")
    assert response.status_code == 403 and response.json()["code"] == "Forbidden"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token abcdefgh.not-a-real-secret")
    response = client.get("/ogc/")
    assert response.status_code == 401 and response.json()["code"] == "NotAuthenticated"
    assert response["WWW-Authenticate"].startswith("Token")


def test_incident_features_carry_no_personal_data(client_as, world):
    """The citizen incidents layer (private, scoped) has no contact or text properties at all;
    what a leader sees there equals the feature API."""
    from incidents.services import ReportInput, incident_submit
    from access.principal import ANONYMOUS
    from tests.access.conftest import INSIDE

    incident_submit(principal=ANONYMOUS, report=ReportInput(
        category="khac", lon=INSIDE[0], lat=INSIDE[1], title="Đèn hỏng",
        description="Gọi 0900000000", reporter_phone="0900000000",
        reporter_name="Nguyễn Văn A"))
    client = client_as("province_leader")
    found = ogc_features(client, "incidents")
    assert found == api_features(client, "incidents") and found
    text = str(client.get("/ogc/collections/incidents/items?limit=1000").json())
    assert "0900000000" not in text and "Nguyễn Văn A" not in text
