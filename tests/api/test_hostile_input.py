"""Hostile input against every API operation: no answer may be a 5xx, and every refusal comes in
the error format of the API that gives it.

The operations come from the project's OpenAPI schema (generated in-process, so an endpoint added
later is swept without touching this file: it only has to say here how to reach it) plus the
routes the schema leaves out: Open311 (/open311/v2/…) and OGC API – Features (/ogc/…). Each one
is called by an anonymous client and by a province-wide user, with a fixed list of hostile
values (no random generation) in its query parameters, its path parameters and, for writes, its
body: malformed JSON, wrong types in each field, NUL characters, deep nesting, 1e400, long text,
invalid GeoJSON geometries, empty and mislabelled files.

Every request runs in a savepoint and re-raises the view's exception, so one failure (a broken
transaction included) cannot hide or cause the next; all failures of an operation are reported
together (method, path, input, status, start of the body)."""
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from urllib.parse import quote, urlencode

import pytest
from django.db import transaction
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

INSIDE = (105.9, 19.74)  # Sầm Sơn, inside Thanh Hóa
LONG = "x" * 10_000
DEPTH = 1_000

# ---- the hostile values ---------------------------------------------------------------------
# Query parameters: each value alone in one parameter (the operation's other parameters keep
# their valid base values), then the parameter repeated.
QUERY_VALUES = [
    "", LONG, "\x00", "%00", "abc", "-1", "1e308", "NaN", "Infinity", str(2 ** 70),
    "2025-13-45", "yesterday", "1,2,3", "a,b,c,d",
    "200,100,-200,-100", "1,1,1,1", "Thành phố Thanh Hóa", "Thanh pho Thanh Hoa",
    "'; DROP TABLE x; --", b"\xff\xfe",  # the last one: not UTF-8 once percent-decoded
]
REPEATED = [["1", "2"], ["", LONG]]
# Pagination and DRF's format override, sent to every GET of the REST API (on top of the
# operation's own parameters).
EXTRA_QUERY = ("limit", "offset", "format")
EXTRA_VALUES = ["abc", "-1", "NaN", str(2 ** 70), "\x00"]
# Request headers, each alone on the valid request (anonymous: the other caller is signed in
# without headers).
HEADERS = [
    {"HTTP_AUTHORIZATION": "Token \x00"}, {"HTTP_AUTHORIZATION": f"Token {LONG}"},
    {"HTTP_AUTHORIZATION": "Token abcdefgh.'; DROP TABLE x; --"},
    {"HTTP_AUTHORIZATION": "Bearer a b c"}, {"HTTP_ACCEPT": "application/xml"},
    {"HTTP_ACCEPT": "\x00"}, {"HTTP_ACCEPT_LANGUAGE": "vi;q=NaN, ,;;"},
    {"HTTP_IF_NONE_MATCH": LONG}, {"HTTP_X_FORWARDED_FOR": "'; DROP TABLE x; --"},
]
# Path parameters (percent-encoded into the path; a regex route may make them a 404).
PATH_VALUES = [
    "", LONG, "\x00", "%00", "abc", "-1", "0", str(2 ** 70), "1e308", "NaN", "Infinity",
    "2025-13-45", "Thành Hóa", "Thanh Hoa", "'; DROP TABLE x; --", "..", "a b", b"\xff\xfe",
]
# JSON bodies that are not the expected object. RAW_INF is replaced by 1e400 in the text (the
# json module cannot write it): Python reads it back as infinity.
RAW_INF = "__raw_1e400__"
RAW_BODIES = [
    ("invalid JSON", b'{"a": '),
    ("array", b"[]"),
    ("array of objects", b'[{"a": 1}]'),
    ("string", b'"text"'),
    ("null", b"null"),
    ("number 1e400", b"1e400"),
    ("NaN literal", b'{"a": NaN}'),
    ("object with 1e400", b'{"a": 1e400}'),
    ("NUL in a key", json.dumps({"a\x00": 1}).encode()),
    ("nested objects", b'{"a": ' * DEPTH + b"1" + b"}" * DEPTH),
    ("nested arrays", b"[" * DEPTH + b"]" * DEPTH),
    ("not UTF-8", b'{"a": "\xff\xfe"}'),
]


def _nested(depth: int) -> dict:
    inner: dict = {}
    for _ in range(depth):
        inner = {"a": inner}
    return inner


# Each field of a body replaced by each of these (the rest of the body stays valid).
FIELD_VALUES = [
    None, True, 0, -1, 2 ** 70, 1.5, RAW_INF, "", "\x00", "a\x00b", LONG, "NaN", "Thành Hóa",
    "'; DROP TABLE x; --", [], ["a"], {}, {"a": 1}, "2025-13-45",
]
FIELD_NESTED = "__nested__"  # the field holds an object nested DEPTH deep (checked as raw text)


def _ring(*points) -> list:
    return [list(p) for p in points]


_LON, _LAT = INSIDE
# Invalid or awkward GeoJSON geometries, for every field that takes one.
GEOMETRIES = {
    "self-intersecting polygon": {"type": "Polygon", "coordinates": [_ring(
        (_LON, _LAT), (_LON + .01, _LAT + .01), (_LON + .01, _LAT), (_LON, _LAT + .01),
        (_LON, _LAT))]},
    "unclosed ring": {"type": "Polygon", "coordinates": [_ring(
        (_LON, _LAT), (_LON + .01, _LAT), (_LON + .01, _LAT + .01), (_LON, _LAT + .01))]},
    "ring of two points": {"type": "Polygon", "coordinates": [_ring((_LON, _LAT), (_LON, _LAT))]},
    "empty polygon": {"type": "Polygon", "coordinates": []},
    "empty ring": {"type": "Polygon", "coordinates": [[]]},
    "empty point": {"type": "Point", "coordinates": []},
    "point of one number": {"type": "Point", "coordinates": [_LON]},
    "NaN coordinates": {"type": "Point", "coordinates": ["NaN", "NaN"]},
    "1e400 coordinates": {"type": "Point", "coordinates": [RAW_INF, RAW_INF]},
    "huge coordinates": {"type": "Point", "coordinates": [1e308, -1e308]},
    "string coordinates": {"type": "Point", "coordinates": ["105.9", "19.74"]},
    "null coordinates": {"type": "Point", "coordinates": None},
    "3D point": {"type": "Point", "coordinates": [_LON, _LAT, 10]},
    "4D point": {"type": "Point", "coordinates": [_LON, _LAT, 10, 1]},
    "3D polygon": {"type": "Polygon", "coordinates": [_ring(
        (_LON, _LAT, 1), (_LON + .01, _LAT, 1), (_LON + .01, _LAT + .01, 1), (_LON, _LAT, 1))]},
    "point far outside the province": {"type": "Point", "coordinates": [-70.0, 45.0]},
    "polygon far outside the province": {"type": "Polygon", "coordinates": [_ring(
        (0, 0), (1, 0), (1, 1), (0, 1), (0, 0))]},
    "polygon around the world": {"type": "Polygon", "coordinates": [_ring(
        (-180, -90), (180, -90), (180, 90), (-180, 90), (-180, -90))]},
    "unknown type": {"type": "Circle", "coordinates": [_LON, _LAT]},
    "no type": {"coordinates": [_LON, _LAT]},
    "geometry collection": {"type": "GeometryCollection", "geometries": [
        {"type": "Point", "coordinates": [_LON, _LAT]}]},
    "NUL in the type": {"type": "Point\x00", "coordinates": [_LON, _LAT]},
    "a Feature, not a geometry": {"type": "Feature", "properties": {}, "geometry": {
        "type": "Point", "coordinates": [_LON, _LAT]}},
}


# ---- real objects the valid parts of a request name -----------------------------------------
class Real:
    """Existing objects (demo data, or made on first use in the test's transaction)."""

    @cached_property
    def commune(self) -> str:
        from django.contrib.gis.geos import Point

        from layers.models import AdminLevel, AdminUnit

        return AdminUnit.objects.get(level=AdminLevel.COMMUNE, valid_to__isnull=True,
                                     geom__contains=Point(*INSIDE, srid=4326)).code

    public_layer = "health-facilities"
    private_layer = "security-incidents"

    @cached_property
    def feature(self) -> str:
        from layers.models import Feature

        return Feature.objects.filter(layer__slug=self.public_layer).order_by("pk").first() \
            .external_id

    @cached_property
    def writable_layer(self) -> str:
        """A public layer with a small property schema (name required), for feature writes."""
        from layers.models import Sector
        from tests.factories import make_layer

        return make_layer(slug="hostile-wells", sector=Sector.HEALTH, is_public=True).slug

    def incident(self, suffix: str = "") -> str:
        from access.principal import ANONYMOUS
        from incidents.services import ReportInput, incident_submit

        key = f"_incident{suffix}"
        if key not in self.__dict__:
            self.__dict__[key] = incident_submit(principal=ANONYMOUS, report=ReportInput(
                category="khac", lon=INSIDE[0], lat=INSIDE[1], title=f"Đèn hỏng {suffix}",
                description="Cột đèn không sáng", reporter_phone="0900000000")).public_id
        return self.__dict__[key]

    @cached_property
    def alert(self) -> int:
        from django.utils import timezone

        from alerts.models import AlertKind
        from alerts.services import alert_raise

        return alert_raise(kind=AlertKind.SOURCE_STALE, subject="layer:security-incidents",
                           owner_department="Công an tỉnh", sector="SECURITY",
                           title="Lớp chậm cập nhật", now=timezone.now())[0].pk

    @cached_property
    def connector(self) -> int:
        from integration.models import Connector
        from layers.models import Layer

        return Connector.objects.create(
            name="hostile", layer=Layer.objects.get(slug=self.private_layer),
            owner_department="Công an tỉnh", id_column="ma").pk

    @cached_property
    def pull_connector(self) -> int:
        from datetime import timedelta

        from integration.models import Connector, ConnectorKind
        from layers.models import Layer

        return Connector.objects.create(
            name="hostile-pull", layer=Layer.objects.get(slug=self.private_layer),
            owner_department="Công an tỉnh", id_column="ma", kind=ConnectorKind.HTTP_GEOJSON,
            url="http://127.0.0.1:9/x.geojson", pull_interval=timedelta(hours=1)).pk

    @cached_property
    def run(self) -> int:
        from integration.models import ImportRun

        return ImportRun.objects.create(connector_id=self.connector, file_name="a.csv",
                                        file_size=1, driver="CSV",
                                        stored_path="hostile/data.csv").pk

    @cached_property
    def raster(self) -> str:
        from rasters.services import RasterInput, raster_create

        data = _geotiff(105.75, 19.85)
        meta = RasterInput(slug="hostile-raster", title_vi="Thử", title_en="Test",
                           sector="HEALTH", value_kind="LEVEL", value_description_vi="cấp",
                           ramp="flood", ramp_stops=[1, 2, 3], ramp_mode="STEP", is_public=True,
                           owner_department="Thử")
        return raster_create(principal=None, meta=meta, file=io.BytesIO(data),
                             file_name="h.tif", size=len(data), dispatch=False).slug

    @cached_property
    def station(self) -> str:
        from observations.models import Metric, SensorStream

        metric = Metric.objects.get_or_create(code="hostile_level_m", defaults={
            "name_vi": "Mực nước", "name_en": "Water level", "unit": "m"})[0]
        stream = SensorStream.objects.create(
            name="hostile", station_layer_id=_layer_pk(self.public_layer),
            owner_department="Đài KTTV", topic_filter="hostile/+/level",
            mapping={"station": "id", "time": "ts", "metrics": {"hostile_level_m": "level"}})
        stream.metrics.add(metric)
        return f"{self.public_layer}:{self.feature}"

    @cached_property
    def tile(self) -> tuple[int, int, int]:
        from tiles.grid import lonlat_to_tile

        t = lonlat_to_tile(*INSIDE, 14)
        return t.z, t.x, t.y

    @cached_property
    def bbox(self) -> str:
        return f"{INSIDE[0] - .05},{INSIDE[1] - .05},{INSIDE[0] + .05},{INSIDE[1] + .05}"

    @cached_property
    def open311_key(self) -> str:
        from tests.open311.conftest import make_key

        return make_key()


def _layer_pk(slug: str) -> int:
    from layers.models import Layer

    return Layer.objects.get(slug=slug).pk


@lru_cache
def _geotiff(west: float, north: float) -> bytes:
    """A 20 × 15 GeoTIFF of 0.01° cells from (west, north)."""
    import numpy as np
    import rasterio
    from rasterio.transform import Affine

    with rasterio.MemoryFile() as memory:
        with memory.open(driver="GTiff", width=20, height=15, count=1, dtype="uint8",
                         crs="EPSG:4326", transform=Affine(0.01, 0, west, 0, -0.01, north),
                         nodata=255) as out:
            out.write(np.ones((15, 20), dtype=np.uint8), 1)
        return memory.read()


@lru_cache
def _jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, format="JPEG")
    return buffer.getvalue()


def _square(lon: float, lat: float, size: float = .01) -> dict:
    return {"type": "Polygon", "coordinates": [_ring(
        (lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size), (lon, lat))]}


# ---- how to reach each operation: real path values, valid base query and body ---------------
PathFill = Callable[[Real], dict[str, str]]

PATHS: dict[str, PathFill] = {
    "/api/alerts/{id}/acknowledge/": lambda r: {"id": r.alert},
    "/api/dashboard/kpi/{code}/records/": lambda r: {"code": "incidents-received"},
    "/api/dashboard/kpi/{code}/units/": lambda r: {"code": "tourist-arrivals"},
    "/api/drill/units/{code}/incidents/": lambda r: {"code": r.commune},
    "/api/incidents/{public_id}/": lambda r: {"public_id": r.incident()},
    "/api/incidents/{public_id}/comments/": lambda r: {"public_id": r.incident()},
    "/api/incidents/{public_id}/merge/": lambda r: {"public_id": r.incident("-copy")},
    "/api/incidents/{public_id}/transition/": lambda r: {"public_id": r.incident()},
    "/api/integration/connectors/{id}/pull/": lambda r: {"id": r.pull_connector},
    "/api/integration/connectors/{id}/runs/": lambda r: {"id": r.connector},
    "/api/integration/runs/{id}/": lambda r: {"id": r.run},
    "/api/integration/runs/{id}/report.csv": lambda r: {"id": r.run},
    "/api/kpi/{code}/": lambda r: {"code": "tourist-arrivals"},
    "/api/kpi/{code}/values/": lambda r: {"code": "tourist-arrivals"},
    "/api/layers/{slug}/": lambda r: {"slug": r.public_layer},
    "/api/layers/{slug}/export/": lambda r: {"slug": r.public_layer},
    "/api/layers/{slug}/features/": lambda r: {"slug": r.public_layer},
    "/api/layers/{slug}/features/{external_id}/": lambda r: {"slug": r.public_layer,
                                                            "external_id": r.feature},
    "/api/rasters/{slug}/zonal/": lambda r: {"slug": r.raster},
    "/api/reports/{public_id}/": lambda r: {"public_id": r.incident()},
    "/api/reports/{public_id}/photos/": lambda r: {"public_id": r.incident()},
    "/api/reports/{public_id}/photos/{number}/": lambda r: {"public_id": r.incident(),
                                                           "number": "1"},
    "/api/reports/{public_id}/rating/": lambda r: {"public_id": r.incident()},
    "/api/units/{code}/": lambda r: {"code": r.commune},
    "/api/units/{code}/rasters/": lambda r: {"code": r.commune},
    "/api/units/{code}/stats/": lambda r: {"code": r.commune},
    "/tiles/{slug}.json": lambda r: {"slug": r.public_layer},
    "/tiles/{slug}/{z}/{x}/{y}.pbf": lambda r: dict(zip("zxy", map(str, r.tile)),
                                                     slug=r.public_layer),
    "/tiles/raster/{slug}.json": lambda r: {"slug": r.raster},
    "/tiles/raster/{slug}/{z}/{x}/{y}.png": lambda r: dict(zip("zxy", map(str, r.tile)),
                                                            slug=r.raster),
    # Not in the OpenAPI schema (their own specs describe them).
    "/ogc/collections/{slug}": lambda r: {"slug": r.public_layer},
    "/ogc/collections/{slug}/items": lambda r: {"slug": r.public_layer},
    "/ogc/collections/{slug}/queryables": lambda r: {"slug": r.public_layer},
    "/ogc/collections/{slug}/items/{feature_id}": lambda r: {"slug": r.public_layer,
                                                             "feature_id": r.feature},
    "/open311/v2/services/{service_code}.json": lambda r: {"service_code": "khac"},
    "/open311/v2/requests/{service_request_id}.json": lambda r: {
        "service_request_id": r.incident()},
    "/open311/v2/tokens/{token}.json": lambda r: {"token": r.incident()},
    "/open311/v2/requests/{service_request_id}.xml": lambda r: {
        "service_request_id": r.incident()},
}

Query = Callable[[Real], dict[str, str]]
BASE_QUERY: dict[str, Query] = {
    "/api/units/locate/": lambda r: {"lon": "105.9", "lat": "19.74"},
    "/api/incidents/duplicates/": lambda r: {"category": "khac", "lon": "105.9", "lat": "19.74"},
    "/api/insights/forecast/": lambda r: {"kpi": "tourist-arrivals", "unit": r.commune},
    "/api/insights/attention/": lambda r: {"unit": r.commune},
    "/api/dashboard/briefing/": lambda r: {"unit": r.commune, "kpi": "tourist-arrivals"},
    "/api/dashboard/kpi/{code}/units/": lambda r: {"unit": r.commune},
    "/api/dashboard/kpi/{code}/records/": lambda r: {"unit": r.commune},
    "/api/kpi/{code}/values/": lambda r: {"unit": r.commune},
    "/api/kpi/summary/": lambda r: {"unit": r.commune},
    "/api/planner/briefing/": lambda r: {"layers": r.public_layer, "bbox": r.bbox},
    "/api/layers/{slug}/export/": lambda r: {"format": "csv", "bbox": r.bbox},
    "/api/observations/": lambda r: {"station": r.station},
    "/api/observations/latest/": lambda r: {"layer": r.station.split(":")[0]},
    "/api/hotspots/": lambda r: {"cell": "5000"},
}

Body = Callable[[Real], dict]
JSON_BODY: dict[str, Body] = {
    "/api/incidents/": lambda r: {"category": "khac", "lon": INSIDE[0], "lat": INSIDE[1],
                                  "title": "Đèn đường hỏng",
                                  "description": "Cột đèn trước nhà văn hóa không sáng"},
    "/api/incidents/{public_id}/comments/": lambda r: {"text": "Đã cử người.", "public": True},
    "/api/incidents/{public_id}/merge/": lambda r: {"into": r.incident()},
    "/api/incidents/{public_id}/transition/": lambda r: {"to": "verified", "note": "Đã xác minh"},
    "/api/layers/{slug}/features/": lambda r: {"type": "FeatureCollection", "features": [{
        "type": "Feature", "id": "hostile-1", "properties": {"name": "Giếng"},
        "geometry": {"type": "Point", "coordinates": list(INSIDE)}}]},
    "/api/planner/within/": lambda r: {"polygon": _square(*INSIDE), "layers": [r.public_layer]},
    "/api/reports/{public_id}/rating/": lambda r: {"rating": 5},
    "/api/wall/pin/": lambda r: {"scene": "tong-quan", "minutes": 5},
}
# Feature writes go to a layer with a small schema (the demo layers' schemas are richer).
WRITE_PATHS: dict[str, PathFill] = {
    "/api/layers/{slug}/features/": lambda r: {"slug": r.writable_layer},
}
# Where the body holds GeoJSON geometries: a function putting a geometry into a valid body.
GEOMETRY_SLOT: dict[str, Callable[[dict, dict], dict]] = {
    "/api/planner/within/": lambda body, g: {**body, "polygon": g},
    "/api/layers/{slug}/features/": lambda body, g: {**body, "features": [
        {**body["features"][0], "geometry": g}]},
}
# Fields inside a body's nested objects, swept like top-level fields (key path → setter).
NESTED_FIELDS: dict[str, dict[str, Callable[[dict, object], dict]]] = {
    "/api/layers/{slug}/features/": {
        "features[0]": lambda b, v: {**b, "features": [v]},
        "features[0].id": lambda b, v: {**b, "features": [{**b["features"][0], "id": v}]},
        "features[0].properties": lambda b, v: {**b, "features": [
            {**b["features"][0], "properties": v}]},
        "features[0].properties.name": lambda b, v: {**b, "features": [
            {**b["features"][0], "properties": {"name": v}}]},
        "features[0].geometry": lambda b, v: {**b, "features": [
            {**b["features"][0], "geometry": v}]},
    },
    "/api/planner/within/": {"layers[0]": lambda b, v: {**b, "layers": [v]}},
}


def _upload(name: str, data: bytes) -> io.BytesIO:
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


def _feature_collection() -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"ma": "h1", "name": "Mới"},
        "geometry": {"type": "Point", "coordinates": list(INSIDE)}}]}).encode()


# Multipart operations: (field of the file, a valid file, files that are empty or not what
# their name says, valid other fields).
@dataclass(frozen=True)
class Upload:
    file_field: str
    valid: Callable[[], tuple[str, bytes]]
    fields: Callable[[Real], dict] = lambda r: {}
    wrong: tuple[tuple[str, bytes], ...] = ()


_GARBAGE = bytes(range(256)) * 8
_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
UPLOADS: dict[str, Upload] = {
    "/api/integration/connectors/{id}/runs/": Upload(
        "file", lambda: ("a.geojson", _feature_collection()),
        wrong=(("a.geojson", b""), ("a.geojson", _GARBAGE), ("a.csv", _GARBAGE),
               ("a.geojson", b'{"type": "FeatureCollection", "features": [{"type": 1}]}'),
               ("a.zip", b"PK\x03\x04" + _GARBAGE), ("a.csv", "ma,name\n\x00,\u00e9\n".encode()),
               ("a.exe", b"MZ" + _GARBAGE), ("", b"ma\n1\n"))),
    "/api/kpi/values/import/": Upload(
        "file", lambda: ("kpi.csv", b"kpi,unit,period,value\ntourist-arrivals,38,2025-09,7\n"),
        wrong=(("kpi.csv", b""), ("kpi.csv", _GARBAGE), ("kpi.csv", _PNG),
               ("kpi.csv", b"kpi,unit,period,value\ntourist-arrivals,38,2025-13,NaN\n"),
               ("kpi.csv", b"kpi,unit,period,value\ntourist-arrivals,38,2025-09,1e400\n"),
               ("kpi.csv", b"kpi,unit,period,value\n\x00,\x00,\x00,\x00\n"),
               ("kpi.csv", b"a\n" + b"x" * 100_000 + b"\n"), ("kpi.xlsx", _GARBAGE))),
    "/api/rasters/": Upload(
        "file", lambda: ("h.tif", _geotiff(105.75, 19.85)),
        fields=lambda r: {"slug": "hostile-upload", "title_vi": "Thử", "title_en": "Test",
                          "sector": "HEALTH", "value_kind": "LEVEL", "value_description_vi": "x",
                          "ramp": "flood", "ramp_stops": "1,2,3", "owner_department": "Thử"},
        wrong=(("h.tif", b""), ("h.tif", _GARBAGE), ("h.tif", _PNG), ("h.tif", _jpeg()),
               ("h.tif", b"II*\x00" + _GARBAGE), ("h.png", _PNG))),
    "/api/reports/{public_id}/photos/": Upload(
        "photo", lambda: ("a.jpg", _jpeg()),
        wrong=(("a.jpg", b""), ("a.jpg", _GARBAGE), ("a.jpg", b"GIF89a" + _GARBAGE),
               ("a.jpg", _PNG), ("a.jpg", b"\xff\xd8\xff\xe0" + _GARBAGE),
               ("a.jpg", _geotiff(105.75, 19.85)), ("a.svg", b"<svg onload='x'/>"))),
}


# ---- operations -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # template, {name} for path parameters
    query: tuple[str, ...] = ()  # query parameter names
    json_fields: tuple[str, ...] = ()  # fields of a JSON/form body
    multipart: bool = False  # takes multipart only (a file upload)

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


def _schema_operations() -> list[Operation]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    operations = []
    for path, methods in schema["paths"].items():
        for method, spec in methods.items():
            query = tuple(p["name"] for p in spec.get("parameters", []) if p["in"] == "query")
            content = spec.get("requestBody", {}).get("content", {})
            fields: tuple[str, ...] = ()
            for media in content.values():
                ref = media["schema"].get("$ref", "")
                body_schema = components[ref.rsplit("/", 1)[-1]] if ref else media["schema"]
                fields = tuple(body_schema.get("properties", {}))
                break
            operations.append(Operation(
                method.upper(), path, query, fields,
                multipart="multipart/form-data" in content and "application/json" not in content))
    return operations


OGC_ITEMS = ("f", "bbox", "datetime", "limit", "cursor", "properties", "crs", "bbox-crs")
OPEN311_REQUESTS = ("service_request_id", "service_code", "start_date", "end_date", "status",
                    "jurisdiction_id", "page", "lat", "long")
OPEN311_POST = ("service_code", "lat", "long", "address_string", "address_id", "description",
                "email", "phone", "first_name", "last_name", "device_id", "account_id",
                "attribute[x]", "media_url", "jurisdiction_id", "api_key")
# Routes outside the OpenAPI schema (tests/access/test_url_coverage.py lists every route).
OTHER_OPERATIONS = [
    Operation("GET", "/ogc/", ("f",)),
    Operation("GET", "/ogc/conformance", ("f",)),
    Operation("GET", "/ogc/api", ("f",)),
    Operation("GET", "/ogc/collections", ("f",)),
    Operation("GET", "/ogc/collections/{slug}", ("f",)),
    Operation("GET", "/ogc/collections/{slug}/items", OGC_ITEMS),
    Operation("GET", "/ogc/collections/{slug}/items/{feature_id}", ("f",)),
    Operation("GET", "/ogc/collections/{slug}/queryables", ("f",)),
    Operation("POST", "/ogc/collections/{slug}/items"),
    Operation("GET", "/open311/v2/discovery.json", ("jurisdiction_id",)),
    Operation("GET", "/open311/v2/services.xml", ("jurisdiction_id",)),
    Operation("GET", "/open311/v2/services/{service_code}.json", ("jurisdiction_id",)),
    Operation("GET", "/open311/v2/requests.json", OPEN311_REQUESTS),
    Operation("GET", "/open311/v2/requests/{service_request_id}.json", ("jurisdiction_id",)),
    Operation("GET", "/open311/v2/requests/{service_request_id}.xml", ("jurisdiction_id",)),
    Operation("GET", "/open311/v2/tokens/{token}.json", ("jurisdiction_id",)),
    Operation("POST", "/open311/v2/requests.json", (), OPEN311_POST),
    Operation("GET", "/tiles/preview/", ("theme",)),
]
OPERATIONS = _schema_operations() + OTHER_OPERATIONS


# ---- one request, judged ----------------------------------------------------------------------
@dataclass
class Sweep:
    """Sends requests and keeps every failure."""

    clients: dict[str, APIClient]
    failures: list[str] = field(default_factory=list)
    count: int = 0
    statuses: dict[str, int] = field(default_factory=dict)  # of each caller's last request
    refused: set[str] = field(default_factory=set)  # callers stopped at the gate (401/403)

    def refuse_the_refused(self) -> None:
        """Callers whose valid request was refused (401/403) get no more requests but the
        header ones: DRF checks permissions before a handler reads any input."""
        self.refused = {caller for caller, status in self.statuses.items()
                        if status in (401, 403)}

    def send(self, method: str, path: str, what: str, *, query=None, body: bytes | None = None,
             content_type: str | None = None, data: dict | None = None,
             headers: dict | None = None) -> None:
        if query:
            path = f"{path}?{urlencode(query, doseq=True)}"
        for caller, client in self.clients.items():
            if (headers and caller != "anonymous") or (caller in self.refused and not headers):
                continue
            self.count += 1
            if data is not None:
                data = {k: (_rewind(v)) for k, v in data.items()}
            try:
                with transaction.atomic():  # undone afterwards: each request meets the same data
                    if data is not None:
                        response = client.generic(method, path, **_multipart(data),
                                                  **headers or {})
                    elif body is not None:
                        response = client.generic(method, path, body,
                                                  content_type=content_type or "application/json",
                                                  **headers or {})
                    else:
                        response = client.generic(method, path, **headers or {})
                    transaction.set_rollback(True)
            except Exception as exc:  # the view raised: Django would answer 500
                self.failures.append(f"{caller} {method} {_short(path)} [{what}] → 500: "
                                     f"{type(exc).__name__}: {str(exc)[:300]} "
                                     f"(at {_where(exc)})")
                continue
            self.statuses[caller] = response.status_code
            problem = judge(path, response)
            if problem:
                self.failures.append(f"{caller} {method} {_short(path)} [{what}] → "
                                     f"{response.status_code}: {problem}")


def _where(exc: Exception) -> str:
    """file:line of the innermost project frame of an exception's traceback."""
    import traceback
    from pathlib import Path

    from django.conf import settings

    root = str(Path(settings.BASE_DIR))
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename.startswith(root) and "/.venv/" not in f.filename
              and "/tests/" not in f.filename]
    return f"{frames[-1].filename[len(root) + 1:]}:{frames[-1].lineno}" if frames else "?"


def _rewind(value):
    if hasattr(value, "seek"):
        value.seek(0)
    return value


def _multipart(data: dict) -> dict:
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    return {"data": encode_multipart(BOUNDARY, data), "content_type": MULTIPART_CONTENT}


def _short(text: str, limit: int = 160) -> str:
    text = text.replace("\x00", "\\x00")
    return text if len(text) <= limit else f"{text[:limit]}…({len(text)} chars)"


DEBUG_MARKERS = (b"Traceback (most recent call last)", b"You're seeing this error because",
                 b'id="traceback"', b"Exception Value:")


def judge(path: str, response) -> str | None:
    """What is wrong with an answer to hostile input (None: nothing)."""
    content = b"" if getattr(response, "streaming", False) else response.content
    head = content[:300].decode("utf-8", "replace")
    if response.status_code >= 500:
        return head
    if any(marker in content for marker in DEBUG_MARKERS):
        return f"debug output in the body: {head}"
    if response.status_code < 400:
        return None
    route = path.split("?", 1)[0]
    if route.startswith("/api/"):
        return _check_api_error(response, head)
    if route.startswith("/ogc/"):
        return _check_ogc_error(response, head)
    if route.startswith("/open311/"):
        return _check_open311_error(response, content, head)
    if route.startswith("/tiles/"):
        return _check_tile_error(response, content, head)
    return None


def _json(response):
    if "json" not in response.get("Content-Type", ""):
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def _check_api_error(response, head: str) -> str | None:
    body = _json(response)
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or error.get("status") != response.status_code \
            or not isinstance(error.get("code"), str) or not isinstance(error.get("message"), str):
        return f"not the API error format: {head}"
    return None


def _check_ogc_error(response, head: str) -> str | None:
    body = _json(response)
    if not isinstance(body, dict) or not isinstance(body.get("code"), str) \
            or not isinstance(body.get("description"), str):
        return f"not an OGC exception document: {head}"
    return None


def _check_open311_error(response, content: bytes, head: str) -> str | None:
    if "xml" in response.get("Content-Type", ""):
        return None if b"<errors>" in content else f"not an Open311 XML error list: {head}"
    body = _json(response)
    if not isinstance(body, list) or not body or not all(
            isinstance(e, dict) and e.get("code") == response.status_code
            and isinstance(e.get("description"), str) for e in body):
        return f"not an Open311 error list: {head}"
    return None


def _check_tile_error(response, content: bytes, head: str) -> str | None:
    if _json(response) is None or len(content) > 2000:
        return f"not a small JSON error: {head}"
    return None


# ---- the sweep of one operation ---------------------------------------------------------------
def fill(template: str, values: dict) -> str:
    path = template
    for name, value in values.items():
        text = value if isinstance(value, bytes) else str(value)
        path = path.replace("{" + name + "}", quote(text, safe=""))
    return path


def _dump(body) -> bytes:
    """JSON text of a body; RAW_INF becomes 1e400 and FIELD_NESTED a DEPTH-deep object."""
    text = json.dumps(body, ensure_ascii=False)
    text = text.replace(f'"{RAW_INF}"', "1e400")
    text = text.replace(f'"{FIELD_NESTED}"', '{"a": ' * DEPTH + "1" + "}" * DEPTH)
    return text.encode()


def _label(value) -> str:
    text = {RAW_INF: "1e400", FIELD_NESTED: f"<object nested {DEPTH} deep>"}.get(
        value, repr(value)) if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else f"{text[:40]}…({len(text)} chars)"


def sweep_operation(sweep: Sweep, op: Operation, real: Real) -> None:
    names = _path_names(op.path)
    values = {k: str(v) for k, v in PATHS[op.path](real).items()} if names else {}
    if op.method in ("POST", "PUT", "PATCH") and op.path in WRITE_PATHS:
        values.update(WRITE_PATHS[op.path](real))
    path = fill(op.path, values)
    base_query = BASE_QUERY.get(op.path, lambda r: {})(real)

    # the valid request itself, then each path parameter hostile
    _send_valid(sweep, op, path, base_query, real)
    sweep.refuse_the_refused()
    for name in names:
        for value in PATH_VALUES:
            sweep.send(op.method, fill(op.path, {**values, name: value}), f"path {name}={_label(value)}",
                       query=base_query)
    # each query parameter hostile, alone and repeated
    for name in op.query:
        for value in QUERY_VALUES + REPEATED:
            sweep.send(op.method, path, f"query {name}={_label(value)}",
                       query={**base_query, name: value})
    if op.method == "GET" and op.path.startswith("/api/"):
        for name in set(EXTRA_QUERY) - set(op.query):
            for value in EXTRA_VALUES:
                sweep.send(op.method, path, f"query {name}={_label(value)}",
                           query={**base_query, name: value})
    for headers in HEADERS:
        sweep.send(op.method, path, f"header {_label(headers)}", query=base_query,
                   headers=headers)
    if op.method in ("POST", "PUT", "PATCH"):
        _sweep_body(sweep, op, path, base_query, real)


def _path_names(template: str) -> list[str]:
    import re

    return re.findall(r"\{(\w+)\}", template)


def _send_valid(sweep: Sweep, op: Operation, path: str, query: dict, real: Real) -> None:
    if op.path in UPLOADS:
        upload = UPLOADS[op.path]
        sweep.send(op.method, path, "valid upload", query=query,
                   data={**upload.fields(real), upload.file_field: _upload(*upload.valid())})
    elif op.path in JSON_BODY and op.method == "POST":
        sweep.send(op.method, path, "valid body", query=query, body=_dump(JSON_BODY[op.path](real)))
    elif op.path.startswith("/open311/") and op.method == "POST":
        sweep.send(op.method, path, "valid form", query=query,
                   **_form(_open311_form(real)))
    else:
        sweep.send(op.method, path, "no input", query=query)


def _form(fields: dict) -> dict:
    return {"body": urlencode(fields).encode(),
            "content_type": "application/x-www-form-urlencoded"}


def _open311_form(real: Real) -> dict:
    return {"api_key": real.open311_key, "service_code": "khac", "lat": str(INSIDE[1]),
            "long": str(INSIDE[0]), "description": "Đèn đường hỏng"}


def _sweep_body(sweep: Sweep, op: Operation, path: str, query: dict, real: Real) -> None:
    for label, raw in RAW_BODIES:
        sweep.send(op.method, path, f"body {label}", query=query, body=raw)
    sweep.send(op.method, path, "form body with NUL", query=query,
               **_form({name: "\x00" for name in op.json_fields or ("a",)}))
    sweep.send(op.method, path, "JSON body sent as text/plain", query=query, body=b'{"a": 1}',
               content_type="text/plain")
    if op.path.startswith("/open311/"):
        _sweep_open311_form(sweep, op, path, real)
    elif op.path in UPLOADS:
        _sweep_upload(sweep, op, path, query, real, UPLOADS[op.path])
    elif op.path in JSON_BODY:
        _sweep_json_fields(sweep, op, path, query, real)


def _sweep_json_fields(sweep: Sweep, op: Operation, path: str, query: dict, real: Real) -> None:
    base = JSON_BODY[op.path](real)
    setters: dict[str, Callable[[dict, object], dict]] = {
        name: (lambda b, v, n=name: {**b, n: v}) for name in op.json_fields}
    setters.update(NESTED_FIELDS.get(op.path, {}))
    for name, put in setters.items():
        for value in FIELD_VALUES + [FIELD_NESTED]:
            sweep.send(op.method, path, f"body {name}={_label(value)}", query=query,
                       body=_dump(put(base, value)))
        if name in base:
            sweep.send(op.method, path, f"body without {name}", query=query,
                       body=_dump({k: v for k, v in base.items() if k != name}))
        # the same field, form-encoded and multipart (no JSON types: text only)
        sweep.send(op.method, path, f"multipart {name}=NUL", query=query,
                   data={**{k: v for k, v in base.items() if not isinstance(v, (dict, list))},
                         name: "a\x00b"})
    if op.path in GEOMETRY_SLOT:
        for label, geometry in GEOMETRIES.items():
            sweep.send(op.method, path, f"geometry {label}", query=query,
                       body=_dump(GEOMETRY_SLOT[op.path](base, geometry)))


def _sweep_upload(sweep: Sweep, op: Operation, path: str, query: dict, real: Real,
                  upload: Upload) -> None:
    fields = upload.fields(real)
    for name, data in upload.wrong:
        sweep.send(op.method, path, f"file {name!r} of {len(data)} bytes, {data[:8]!r}",
                   query=query, data={**fields, upload.file_field: _upload(name, data)})
    sweep.send(op.method, path, "file field as text", query=query,
               data={**fields, upload.file_field: "not a file"})
    sweep.send(op.method, path, "no file", query=query, data=fields)
    sweep.send(op.method, path, "file under another name", query=query,
               data={**fields, "other": _upload(*upload.valid())})
    for name in fields:
        for value in ["", "\x00", LONG, "NaN", "1e400", "-1", "Thành Hóa", "'; DROP TABLE x; --",
                      "1,2,x", ",,,", "3,2,1", "NaN,Infinity,1"]:
            sweep.send(op.method, path, f"field {name}={_label(value)}", query=query,
                       data={**fields, name: value, upload.file_field: _upload(*upload.valid())})
    for name in ("nodata", "ramp_mode", "is_public", "value_unit", "attribution") \
            if op.path == "/api/rasters/" else ():
        for value in ["NaN", "Infinity", "1e400", "\x00", LONG, "-1e308"]:
            sweep.send(op.method, path, f"field {name}={_label(value)}", query=query,
                       data={**fields, name: value, upload.file_field: _upload(*upload.valid())})


def _sweep_open311_form(sweep: Sweep, op: Operation, path: str, real: Real) -> None:
    base = _open311_form(real)
    for name in op.json_fields:
        for value in QUERY_VALUES:
            sweep.send(op.method, path, f"form {name}={_label(value)}",
                       **_form({**base, name: value}))
        sweep.send(op.method, path, f"form {name} repeated",
                   body=urlencode({**base, name: ["1", "2"]}, doseq=True).encode(),
                   content_type="application/x-www-form-urlencoded")
    sweep.send(op.method, path, "form not UTF-8", body=b"service_code=\xff\xfe&lat=\xff",
               content_type="application/x-www-form-urlencoded")


# ---- the tests --------------------------------------------------------------------------------
@pytest.fixture
def callers(user_of_role, api_of) -> dict[str, APIClient]:
    """An anonymous client and a province-wide administrator (who passes every gate, so the
    hostile input reaches the validation behind it), both re-raising the views' exceptions."""
    clients = {"anonymous": api_of(None),
               "province-wide": api_of(user_of_role("administrator", units="province"))}
    for client in clients.values():
        client.raise_request_exception = True
    return clients


@pytest.mark.parametrize("op", OPERATIONS, ids=[op.id for op in OPERATIONS])
def test_hostile_input_is_never_a_server_error(op, callers):
    sweep = Sweep(callers)
    sweep_operation(sweep, op, Real())
    assert sweep.count > 0
    if sweep.failures:
        pytest.fail(f"{len(sweep.failures)} of {sweep.count} hostile requests to {op.id} "
                    "failed:\n" + "\n".join(sweep.failures), pytrace=False)


def test_every_operation_is_reachable():
    """Each templated path says how to fill it with real values, each upload is described."""
    missing = [op.id for op in OPERATIONS if _path_names(op.path) and op.path not in PATHS]
    assert missing == []
    assert {op.path for op in OPERATIONS if op.multipart} <= set(UPLOADS)
    assert len(OPERATIONS) >= 70

