"""Exports (GET /api/layers/{slug}/export/ and layers/exports.py): GeoJSON, GeoPackage and CSV
carry exactly the features the caller may read, public properties only, inside a bbox; CSV is
UTF-8 with a byte-order mark and keeps Vietnamese intact; a row cap refuses large exports."""
import csv
import io
import json
from datetime import timedelta

import pyogrio
import pyogrio.raw
import pytest
from django.contrib.gis.geos import Polygon
from django.utils import timezone
from rest_framework.test import APIClient
from shapely import from_wkb
from shapely.geometry import shape

from access.services import api_token_create
from layers.models import Feature
from layers.services import features_upsert
from layers.validation import FeatureInput
from tests.access import conftest as access_world
from tests.access.conftest import INSIDE, TODAY, make_user

world, client_as = access_world.world, access_world.client_as  # the access tests' fixtures

pytestmark = pytest.mark.django_db
CITY = "105.70,19.70,105.95,19.90"  # TP Thanh Hóa and Sầm Sơn
PERSONAL = ("owner_phone", "0900000000")


def export(client, slug: str, fmt: str, bbox: str | None = None):
    query = f"?format={fmt}" + (f"&bbox={bbox}" if bbox else "")
    return client.get(f"/api/layers/{slug}/export/{query}")


def db_features(slug: str, bbox: str | None = None) -> dict:
    features = Feature.objects.filter(layer__slug=slug)
    if bbox:
        features = features.filter(geom__intersects=Polygon.from_bbox(
            [float(v) for v in bbox.split(",")]))
    return {f.external_id: f for f in features}


def read_csv(content: bytes) -> list[dict]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_geojson_matches_the_database(client_as):
    response = export(client_as("planner"), "schools", "geojson", CITY)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = json.loads(response.content)
    expected = db_features("schools", CITY)
    assert 10 < len(expected) < Feature.objects.filter(layer__slug="schools").count()
    assert {f["id"] for f in body["features"]} == set(expected)
    for feature in body["features"]:
        stored = expected[feature["id"]]
        assert shape(feature["geometry"]).equals_exact(shape(json.loads(stored.geom.json)), 1e-7)
        assert feature["properties"]["name"] == stored.properties["name"]


def test_geopackage_reads_back_equal(client_as, tmp_path):
    response = export(client_as("planner"), "schools", "gpkg", CITY)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geopackage+sqlite3"
    path = tmp_path / "schools.gpkg"
    path.write_bytes(response.content)
    meta, _, geometry, fields = pyogrio.raw.read(path)
    assert meta["crs"] == "EPSG:4326" and meta["geometry_type"] == "Point"
    columns = dict(zip(meta["fields"], fields))
    expected = db_features("schools", CITY)
    assert sorted(columns["id"]) == sorted(expected)
    for i, external_id in enumerate(columns["id"]):
        stored = expected[external_id]
        assert columns["name"][i] == stored.properties["name"]
        assert shape(json.loads(stored.geom.json)).equals_exact(from_wkb(geometry[i]), 1e-7)
    info = pyogrio.read_info(path)
    types = dict(zip(info["fields"], info["ogr_types"]))
    assert types["students"] == "OFTInteger64" and types["name"] == "OFTString"


def test_csv_has_a_bom_and_vietnamese_intact(client_as):
    response = export(client_as("planner"), "schools", "csv", CITY)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(response.content)
    expected = db_features("schools", CITY)
    assert {row["id"] for row in rows} == set(expected)
    assert list(rows[0])[:4] == ["id", "lon", "lat", "name"]
    row = next(r for r in rows if "Trường" in r["name"])
    assert row["name"] == expected[row["id"]].properties["name"]
    assert float(row["lon"]) == pytest.approx(expected[row["id"]].geom.x)


def test_csv_of_lines_carries_wkt(client_as):
    rows = read_csv(export(client_as("planner"), "traffic-congestion", "csv").content)
    assert rows and all(row["wkt"].startswith(("LINESTRING", "MULTILINESTRING")) for row in rows)


def test_the_units_layer_exports_the_units_in_force(client_as):
    rows = read_csv(export(client_as("planner"), "admin-boundaries", "csv").content)
    assert any(row["name"] == "Phường Sầm Sơn" for row in rows)
    assert {row["level"] for row in rows} == {"province", "commune"}


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "csv"])
@pytest.mark.parametrize("role", ["province_leader", "administrator", "planner"])
def test_private_properties_and_personal_data_never_leave(world, client_as, role, fmt):
    response = export(client_as(role), world.private.slug, fmt)
    assert response.status_code == 200
    for text in PERSONAL:
        assert text.encode() not in response.content
    if fmt == "csv":
        assert {row["id"] for row in read_csv(response.content)} == {"in", "out"}


def test_incidents_export_only_their_public_projection(client_as):
    body = export(client_as("planner"), "security-incidents", "geojson").content.decode()
    assert "reporter_phone" not in body and "status_note" not in body


def test_a_token_narrowed_to_units_exports_only_its_ground(world):
    user = make_user("planner")
    from layers import selectors

    unit = selectors.unit_get(code=world.inside_commune, day=TODAY)
    _, key = api_token_create(name="Báo cáo", user=user, scopes=["layers:read"], units=[unit],
                              expires_at=timezone.now() + timedelta(days=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    private = json.loads(export(client, world.private.slug, "geojson").content)
    assert [f["id"] for f in private["features"]] == ["in"]
    public = json.loads(export(client, world.public.slug, "geojson").content)
    assert {f["id"] for f in public["features"]} == {"in", "out"}  # public layers: all


def test_the_bbox_filters(world, client_as):
    inside = f"{INSIDE[0] - 0.01},{INSIDE[1] - 0.01},{INSIDE[0] + 0.01},{INSIDE[1] + 0.01}"
    body = json.loads(export(client_as("planner"), world.public.slug, "geojson", inside).content)
    assert [f["id"] for f in body["features"]] == ["in"]


def test_spreadsheet_formulas_are_neutralised(world, client_as):
    features_upsert(layer=world.public, items=[FeatureInput(
        "f", {"type": "Point", "coordinates": list(INSIDE)}, {"name": '=HYPERLINK("x","y")'})])
    rows = read_csv(export(client_as("planner"), world.public.slug, "csv").content)
    assert next(r for r in rows if r["id"] == "f")["name"] == "'=HYPERLINK(\"x\",\"y\")"


def test_the_download_has_a_file_name(client_as):
    response = export(client_as("planner"), "schools", "csv")
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="schools-') and disposition.endswith(
        '.csv"')
    assert response["Cache-Control"] == "private, no-store"


def test_beyond_the_row_cap_the_export_is_refused(client_as, settings):
    settings.IOC_EXPORT_MAX_ROWS = 5
    response = export(client_as("planner"), "schools", "geojson")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "export_too_large" and error["details"] == {"max_rows": 5}


@pytest.mark.parametrize("role, status", [
    ("anonymous", 403), ("citizen", 403), ("unit_official", 403), ("sector_operator", 403),
    ("wall_display", 403), ("province_leader", 200), ("administrator", 200)])
def test_who_may_export(world, client_as, role, status):
    response = export(client_as(role), world.public.slug, "csv")
    assert response.status_code == status
    if status != 200:
        assert response.json()["error"]["status"] == status


@pytest.mark.parametrize("query, status", [
    ("?format=xlsx", 400), ("?format=csv&bbox=1,2,3", 400), ("?bbox=106,19,105,20", 400),
    ("?bbox=1..2,19,106,20", 400), ("?since=yesterday", 400)])
def test_bad_queries_are_400s(client_as, query, status):
    response = client_as("planner").get(f"/api/layers/schools/export/{query}")
    assert response.status_code == status
    assert response.json()["error"]["status"] == status


def test_an_unknown_or_invisible_layer_is_a_404(world, client_as):
    assert export(client_as("planner"), "khong-co-lop", "csv").status_code == 404
    assert export(client_as("anonymous"), world.private.slug, "csv").status_code == 404


def test_the_default_format_is_geojson(client_as):
    response = client_as("planner").get("/api/layers/tourist-sites/export/")
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
