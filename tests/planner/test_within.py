"""POST /api/planner/within/: per layer, the features the caller may read that intersect a drawn
polygon, counted as a hand count would, scoped by jurisdiction, public properties only."""
import json

import pytest
from shapely.geometry import shape

from layers.models import AdminLevel, AdminUnit, Feature
from layers.selectors import valid_on
from tests.access.conftest import TODAY
from tests.planner.conftest import AROUND_BOTH, square

pytestmark = pytest.mark.django_db
URL = "/api/planner/within/"
# Around Sầm Sơn and the city: schools (points), congestion (lines) and security incidents.
AREA = {"type": "Polygon", "coordinates": [[
    [105.70, 19.68], [105.96, 19.68], [105.96, 19.88], [105.83, 19.80], [105.70, 19.88],
    [105.70, 19.68]]]}


def ask(client, polygon, layers):
    return client.post(URL, {"polygon": polygon, "layers": layers}, format="json")


def hand_count(slug: str, polygon: dict) -> list[str]:
    """External ids of a layer's features intersecting the polygon, by shapely, sorted by id."""
    area = shape(polygon)
    rows = Feature.objects.filter(layer__slug=slug).order_by("id").values_list(
        "external_id", "geom")
    return [external_id for external_id, geom in rows
            if area.intersects(shape(json.loads(geom.json)))]


def test_counts_equal_a_hand_count_for_points_lines_and_units(client_as):
    client = client_as("planner")
    slugs = ["schools", "traffic-congestion", "security-incidents", "admin-boundaries"]
    response = ask(client, AREA, slugs)
    assert response.status_code == 200, response.content
    answer = {layer["slug"]: layer for layer in response.json()["layers"]}
    assert list(answer) == slugs
    for slug in slugs[:3]:
        expected = hand_count(slug, AREA)
        assert expected, slug  # the area is not empty
        assert answer[slug]["count"] == len(expected), slug
        assert [f["id"] for f in answer[slug]["features"]] == expected[:20], slug
    communes = [u.code for u in AdminUnit.objects.filter(valid_on(TODAY),
                                                         level=AdminLevel.COMMUNE).order_by("code")
                if shape(AREA).intersects(shape(json.loads(u.geom.json)))]
    assert answer["admin-boundaries"]["count"] == len(communes)
    assert [f["id"] for f in answer["admin-boundaries"]["features"]] == communes[:20]
    assert 300 < response.json()["area_km2"] < 700
    school = answer["schools"]["features"][0]
    assert school["name"] and isinstance(school["lon"], float)


def test_private_properties_never_leave_even_for_those_who_may_read_them(world, client_as):
    for role in ("province_leader", "administrator", "planner"):
        response = ask(client_as(role), AROUND_BOTH, [world.private.slug, world.public.slug])
        assert response.status_code == 200
        body = response.content.decode()
        assert "owner_phone" not in body and "0900000000" not in body
        names = {f["name"] for layer in response.json()["layers"] for f in layer["features"]}
        assert names == {"Điểm in", "Điểm out"}


@pytest.mark.parametrize("role, private, public", [
    ("planner", ["in", "out"], ["in", "out"]),          # province-wide by role
    ("province_leader", ["in", "out"], ["in", "out"]),
    ("unit_official", ["in"], ["in", "out"]),           # bound: own ground for private layers
    ("sector_operator", ["in"], ["in", "out"]),
    ("field_staff", ["in"], ["in", "out"]),
])
def test_counts_are_scoped_by_jurisdiction(world, client_as, role, private, public):
    response = ask(client_as(role), AROUND_BOTH, [world.private.slug, world.public.slug])
    assert response.status_code == 200
    by_slug = {layer["slug"]: layer for layer in response.json()["layers"]}
    assert [f["id"] for f in by_slug[world.private.slug]["features"]] == private
    assert by_slug[world.private.slug]["count"] == len(private)
    assert [f["id"] for f in by_slug[world.public.slug]["features"]] == public


def test_a_layer_outside_ones_sectors_does_not_exist_and_callers_without_the_map_are_refused(
        world, client_as):
    assert ask(client_as("other_sector_operator"), AROUND_BOTH,
               [world.private.slug]).status_code == 404
    for role in ("anonymous", "citizen"):
        response = ask(client_as(role), AROUND_BOTH, [world.public.slug])
        assert response.status_code == 403
        assert response.json()["error"]["status"] == 403


def test_a_small_square_counts_only_what_it_covers(world, client_as):
    response = ask(client_as("planner"), square(105.9, 19.74), [world.public.slug])
    assert [f["id"] for f in response.json()["layers"][0]["features"]] == ["in"]


def test_a_polygon_with_a_hole_leaves_out_what_lies_in_the_hole(world, client_as):
    outer = AROUND_BOTH["coordinates"][0]
    hole = square(105.9, 19.74)["coordinates"][0][::-1]
    response = ask(client_as("planner"), {"type": "Polygon", "coordinates": [outer, hole]},
                   [world.public.slug])
    assert response.status_code == 200
    assert [f["id"] for f in response.json()["layers"][0]["features"]] == ["out"]
