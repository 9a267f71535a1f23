"""GET /api/layers/: the registry, filtered to what the caller may see, public fields only."""
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db

SEEDED = {"traffic-accidents", "traffic-congestion", "traffic-cameras", "health-facilities",
          "schools", "tourist-sites", "security-incidents", "admin-boundaries", "incidents"}
PRIVATE = {"security-incidents", "incidents"}


def slugs(body: dict) -> set[str]:
    return {layer["slug"] for layer in body["results"]}


def test_anonymous_callers_see_public_layers_only(api_client):
    body = api_client.get("/api/layers/").json()
    assert slugs(body) == SEEDED - PRIVATE


def leader():
    user = get_user_model().objects.create_user("leader", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="province_leader"))
    return user


def test_staff_without_a_role_see_public_layers_only(api_client):
    staff = get_user_model().objects.create_user("staff", password="x", is_staff=True)
    api_client.force_authenticate(staff)
    assert slugs(api_client.get("/api/layers/").json()) == SEEDED - PRIVATE


def test_the_province_leader_sees_every_layer(api_client):
    api_client.force_authenticate(leader())
    assert slugs(api_client.get("/api/layers/").json()) == SEEDED


def test_only_public_properties_are_described(api_client):
    api_client.force_authenticate(leader())
    layer = api_client.get("/api/layers/security-incidents/").json()
    assert "reporter_phone" not in layer["properties"]
    assert layer["properties"], "public properties are listed"


def test_hidden_layer_is_a_404_not_a_403(api_client):
    response = api_client.get("/api/layers/security-incidents/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_layer_detail_carries_registry_fields(api_client):
    layer = api_client.get("/api/layers/health-facilities/").json()
    assert layer["geometry_kind"] == "POINT"
    assert layer["sector"] == "HEALTH"
    assert layer["title_vi"] and layer["title_en"] and layer["owner_department"]
    assert 0 <= layer["min_zoom"] <= layer["max_zoom"] <= 24


@pytest.mark.parametrize("bbox", ["1..2,19,106,20", "105,19,104,20", "105,-91,106,20", "a,b,c,d"])
def test_a_bad_bbox_is_a_400_in_the_api_format(api_client, bbox):
    response = api_client.get(f"/api/layers/schools/features/?bbox={bbox}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
