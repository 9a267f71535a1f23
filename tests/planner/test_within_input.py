"""Bad input to POST /api/planner/within/ is a 4xx in the API's one error format, never a 500:
broken JSON, wrong types, unclosed or self-intersecting rings, NaN and infinite coordinates,
too many vertices, huge or far-away polygons, unknown or forbidden layers."""
import pytest

from tests.planner.conftest import AROUND_BOTH, square

pytestmark = pytest.mark.django_db
URL = "/api/planner/within/"
RING = AROUND_BOTH["coordinates"][0]


def polygon(*rings) -> dict:
    return {"type": "Polygon", "coordinates": list(rings)}


def many_vertices(n: int) -> dict:
    import math

    ring = [[105.8 + 0.05 * math.cos(2 * math.pi * i / n), 19.8 + 0.05 * math.sin(2 * math.pi * i / n)]
            for i in range(n)]
    return polygon(ring + [ring[0]])


BAD_POLYGONS = {
    "not an object": ("abc", "invalid_polygon"),
    "a list": ([RING], "invalid_polygon"),
    "null": (None, "invalid"),
    "wrong type": ({"type": "Point", "coordinates": [105.8, 19.8]}, "invalid_polygon"),
    "multipolygon": ({"type": "MultiPolygon", "coordinates": [[RING]]}, "invalid_polygon"),
    "no coordinates": ({"type": "Polygon"}, "invalid_polygon"),
    "empty coordinates": (polygon(), "invalid_polygon"),
    "coordinates not a list": ({"type": "Polygon", "coordinates": "x"}, "invalid_polygon"),
    "ring not a list": (polygon("abc"), "invalid_polygon"),
    "unclosed ring": (polygon(RING[:-1] + [[105.71, 19.70]]), "invalid_polygon"),
    "three positions": (polygon([RING[0], RING[1], RING[0]]), "invalid_polygon"),
    "self-intersecting (bow tie)": (polygon([[105.7, 19.7], [105.9, 19.9], [105.9, 19.7],
                                             [105.7, 19.9], [105.7, 19.7]]), "invalid_polygon"),
    "coordinates as strings": (polygon([[str(x), str(y)] for x, y in RING]), "invalid_polygon"),
    "NaN as a string": (polygon([["NaN", 19.7]] + RING[1:]), "invalid_polygon"),
    "booleans": (polygon([[True, False]] + RING[1:]), "invalid_polygon"),
    "one number": (polygon([[105.7]] + RING[1:]), "invalid_polygon"),
    "latitude 95": (polygon([[105.7, 95], [105.8, 95], [105.8, 94], [105.7, 95]]),
                    "invalid_polygon"),
    "legacy crs member": ({**AROUND_BOTH, "crs": {"type": "name", "properties": {
        "name": "EPSG:3857"}}}, "invalid_polygon"),
    "too many vertices": (many_vertices(1001), "polygon_too_large"),
    "huge (all of Vietnam)": (polygon([[102, 8], [110, 8], [110, 23.5], [102, 23.5], [102, 8]]),
                              "polygon_too_large"),
    "outside the province (Hà Nội)": (square(105.85, 21.03), "polygon_outside_province"),
    "crossing the province's edge far out": (polygon([[105.5, 19.5], [107.5, 19.5], [107.5, 19.6],
                                                      [105.5, 19.6], [105.5, 19.5]]),
                                             "polygon_outside_province"),
}


@pytest.mark.parametrize("name", list(BAD_POLYGONS))
def test_bad_polygons_are_400s_in_our_format(client_as, name):
    value, code = BAD_POLYGONS[name]
    response = client_as("planner").post(URL, {"polygon": value, "layers": ["schools"]},
                                         format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["status"] == 400


RAW_BODIES = {
    "not JSON": b"{polygon: ",
    "NaN literal": b'{"polygon": {"type": "Polygon", "coordinates": [[[NaN, 19.7], [105.9, 19.7],'
                   b' [105.9, 19.8], [NaN, 19.7]]]}, "layers": ["schools"]}',
    "infinite number": b'{"polygon": {"type": "Polygon", "coordinates": [[[1e999, 19.7],'
                       b' [105.9, 19.7], [105.9, 19.8], [1e999, 19.7]]]}, "layers": ["schools"]}',
    "nested 10,000 deep": b'{"polygon": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
    "empty body": b"",
    "a JSON list": b"[1, 2]",
}


@pytest.mark.parametrize("name", list(RAW_BODIES))
def test_broken_bodies_are_400s(client_as, name):
    response = client_as("planner").generic("POST", URL, RAW_BODIES[name],
                                            content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["status"] == 400


BAD_LAYERS = {
    "missing": (None, 400), "empty": ([], 400), "not a list": ("schools", 400),
    "bad slug": (["../etc"], 400), "not strings": ([{"a": 1}], 400),
    "unknown": (["khong-co-lop-nay"], 404), "too many": ([f"lop-{i}" for i in range(31)], 400),
}


@pytest.mark.parametrize("name", list(BAD_LAYERS))
def test_bad_layer_lists(client_as, name):
    layers, status = BAD_LAYERS[name]
    body = {"polygon": AROUND_BOTH} if layers is None else {"polygon": AROUND_BOTH,
                                                            "layers": layers}
    response = client_as("planner").post(URL, body, format="json")
    assert response.status_code == status, response.content
    assert response.json()["error"]["status"] == status


def test_a_private_layer_of_another_sector_is_a_404_like_an_unknown_one(world, client_as):
    response = client_as("other_sector_operator").post(
        URL, {"polygon": AROUND_BOTH, "layers": [world.public.slug, world.private.slug]},
        format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_get_is_not_allowed(client_as):
    response = client_as("planner").get(URL)
    assert response.status_code == 405
    assert response.json()["error"]["status"] == 405
