"""The access matrix: every API endpoint × role × (inside / outside the jurisdiction).

Later issues add their endpoints here with one `endpoint(...)` line; the URL-enumeration test
fails for any /api/ route that is missing from this list."""
from collections.abc import Callable
from dataclasses import dataclass, field

# Expected statuses as (inside, outside); roles not named get `default`.
Expect = dict[str, tuple[int, int]]


@dataclass(frozen=True)
class Endpoint:
    url_name: str
    method: str
    path: Callable[..., str]          # path(world, where) with where in {"in", "out"}
    expect: Expect = field(default_factory=dict)
    default: tuple[int, int] = (200, 200)
    body: Callable[..., dict] | None = None  # body(world, where)

    def expected(self, role: str, inside: bool) -> int:
        pair = self.expect.get(role, self.default)
        return pair[0] if inside else pair[1]


ENDPOINTS: list[Endpoint] = []


def endpoint(url_name: str, method: str, path, expect: Expect | None = None,
             default=(200, 200), body=None) -> None:
    """Register an endpoint in the matrix (one line per endpoint and method)."""
    ENDPOINTS.append(Endpoint(url_name, method, path, expect or {}, default, body))


def covered_url_names() -> set[str]:
    """URL names the matrix exercises."""
    return {e.url_name for e in ENDPOINTS}


# ---- who may see a private (SECURITY) layer at all --------------------------------------
SEES_PRIVATE = {"province_leader", "sector_operator", "unit_official", "field_staff", "planner",
                "wall_display", "administrator"}
PROVINCE_WIDE = {"province_leader", "planner", "wall_display", "administrator"}
BOUND = SEES_PRIVATE - PROVINCE_WIDE


def private_read() -> Expect:
    expect = {role: (200, 200) for role in PROVINCE_WIDE}
    expect.update({role: (200, 404) for role in BOUND})
    return expect


def _feature_body(world, where: str) -> dict:
    from tests.access.conftest import INSIDE, OUTSIDE

    lon_lat = INSIDE if where == "in" else OUTSIDE
    return {"type": "FeatureCollection", "features": [{
        "type": "Feature", "id": f"new-{where}", "properties": {"name": "Mới"},
        "geometry": {"type": "Point", "coordinates": list(lon_lat)}}]}


def _unit(world, where):
    return world.inside_commune if where == "in" else world.outside_commune


endpoint("unit-list", "get", lambda w, where: "/api/units/?level=commune")
endpoint("unit-detail", "get", lambda w, where: f"/api/units/{_unit(w, where)}/")
# Counts are scoped per layer (tests/layers/test_unit_stats.py); naming a layer one may not see
# is a 404, as for the layer itself.
endpoint("unit-stats", "get", lambda w, where: f"/api/units/{_unit(w, where)}/stats/")
endpoint("unit-stats", "get",
         lambda w, where: f"/api/units/{_unit(w, where)}/stats/?layer={w.private.slug}",
         expect={r: (200, 200) for r in SEES_PRIVATE}, default=(404, 404))
endpoint("unit-locate", "get", lambda w, where: "/api/units/locate/?lon=105.9&lat=19.74")
endpoint("layer-list", "get", lambda w, where: "/api/layers/")
endpoint("layer-detail", "get", lambda w, where: f"/api/layers/{w.private.slug}/",
         expect={r: (200, 200) for r in SEES_PRIVATE}, default=(404, 404))
endpoint("layer-detail", "get", lambda w, where: f"/api/layers/{w.public.slug}/")
endpoint("feature-list", "get", lambda w, where: f"/api/layers/{w.private.slug}/features/",
         expect={r: (200, 200) for r in SEES_PRIVATE}, default=(404, 404))
endpoint("feature-list", "get", lambda w, where: f"/api/layers/{w.public.slug}/features/")
endpoint("feature-detail", "get",
         lambda w, where: f"/api/layers/{w.private.slug}/features/{where}/",
         expect=private_read(), default=(404, 404))
endpoint("feature-detail", "get",
         lambda w, where: f"/api/layers/{w.public.slug}/features/{where}/")
endpoint("feature-list", "post", lambda w, where: f"/api/layers/{w.private.slug}/features/",
         body=_feature_body, default=(404, 404), expect={
             "administrator": (200, 200), "sector_operator": (200, 400),
             **{r: (403, 403) for r in SEES_PRIVATE - {"administrator", "sector_operator"}}})
endpoint("feature-list", "post", lambda w, where: f"/api/layers/{w.public.slug}/features/",
         body=_feature_body, default=(403, 403), expect={
             "administrator": (200, 200), "other_sector_operator": (200, 400)})
endpoint("feature-detail", "delete",
         lambda w, where: f"/api/layers/{w.private.slug}/features/{where}/",
         default=(404, 404), expect={
             "administrator": (204, 204), "sector_operator": (204, 404),
             **{r: (403, 403) for r in PROVINCE_WIDE - {"administrator"}},
             "unit_official": (403, 404), "field_staff": (403, 404)})
endpoint("feature-detail", "delete",
         lambda w, where: f"/api/layers/{w.public.slug}/features/{where}/",
         default=(403, 403), expect={"administrator": (204, 204),
                                     "other_sector_operator": (204, 403)})


# ---- tiles: the same scoping, through MVT tiles, TileJSON and the style ------------------
def _tile(world, where: str, slug: str) -> str:
    from tests.access.conftest import INSIDE, OUTSIDE
    from tiles.grid import lonlat_to_tile

    t = lonlat_to_tile(*(INSIDE if where == "in" else OUTSIDE), 14)
    return f"/tiles/{slug}/{t.z}/{t.x}/{t.y}.pbf"


def private_tile() -> Expect:
    """Bound roles get an empty tile (204) outside their units: the feature is not theirs."""
    expect = {role: (200, 200) for role in PROVINCE_WIDE}
    expect.update({role: (200, 204) for role in BOUND})
    return expect


endpoint("tile", "get", lambda w, where: _tile(w, where, w.private.slug),
         expect=private_tile(), default=(404, 404))
endpoint("tile", "get", lambda w, where: _tile(w, where, w.public.slug))
endpoint("tilejson", "get", lambda w, where: f"/tiles/{w.private.slug}.json",
         expect={r: (200, 200) for r in SEES_PRIVATE}, default=(404, 404))
endpoint("tilejson", "get", lambda w, where: f"/tiles/{w.public.slug}.json")
endpoint("tile-style", "get", lambda w, where: "/tiles/style.json")


# ---- incidents: staff see their sectors' incidents routed to their units ------------------
def _incident(world, where: str, suffix: str = "") -> str:
    """An incident of a SECURITY category inside or outside the test jurisdiction (made once
    per test world), returned as its public id."""
    from access.principal import ANONYMOUS
    from incidents.services import ReportInput, incident_submit
    from tests.access.conftest import INSIDE, OUTSIDE

    key = f"_incident_{where}{suffix}"
    if not hasattr(world, key):
        lon, lat = INSIDE if where == "in" else OUTSIDE
        incident = incident_submit(principal=ANONYMOUS, report=ReportInput(
            category="an-ninh-trat-tu", lon=lon, lat=lat, title="Gây rối",
            description="Tụ tập gây rối", reporter_phone="0900000000"))
        setattr(world, key, incident.public_id)
    return getattr(world, key)


def _report_body(world, where: str) -> dict:
    from tests.access.conftest import INSIDE, OUTSIDE

    lon, lat = INSIDE if where == "in" else OUTSIDE
    return {"category": "khac", "lon": lon, "lat": lat, "title": "Đèn đường hỏng",
            "description": "Cột đèn trước nhà văn hóa không sáng"}


SEES_INCIDENTS = PROVINCE_WIDE | {"sector_operator", "unit_official", "field_staff"}


def incident_read() -> Expect:
    expect = {role: (200, 200) for role in PROVINCE_WIDE}
    expect.update({role: (200, 404) for role in SEES_INCIDENTS - PROVINCE_WIDE})
    return expect


def incident_triage() -> Expect:
    """Verify/merge: sector operators (own ground) and administrators; other viewers 403."""
    expect = {role: (403, 403) for role in PROVINCE_WIDE}
    expect.update({role: (403, 404) for role in SEES_INCIDENTS - PROVINCE_WIDE})
    expect.update({"administrator": (200, 200), "sector_operator": (200, 404)})
    return expect


endpoint("incident-category-list", "get", lambda w, where: "/api/incidents/categories/")
endpoint("incident-list", "get", lambda w, where: "/api/incidents/")
endpoint("incident-list", "post", lambda w, where: "/api/incidents/", body=_report_body,
         default=(201, 201))
endpoint("incident-detail", "get",
         lambda w, where: f"/api/incidents/{_incident(w, where)}/",
         expect=incident_read(), default=(404, 404))
endpoint("incident-transition", "post",
         lambda w, where: f"/api/incidents/{_incident(w, where)}/transition/",
         body=lambda w, where: {"to": "verified"}, expect=incident_triage(), default=(404, 404))
endpoint("incident-merge", "post",
         lambda w, where: f"/api/incidents/{_incident(w, where, '-copy')}/merge/",
         body=lambda w, where: {"into": _incident(w, where)}, expect=incident_triage(),
         default=(404, 404))


def incident_comment() -> Expect:
    """Replies and notes: staff who verify or handle (bound ones on their ground); readers 403."""
    expect = {role: (403, 403) for role in PROVINCE_WIDE}
    expect.update({role: (201, 404) for role in SEES_INCIDENTS - PROVINCE_WIDE})
    expect["administrator"] = (201, 201)
    return expect


def _hotline_body(world, where: str) -> dict:
    """An operator opening a SECURITY incident for a caller, inside or outside the units."""
    from tests.access.conftest import INSIDE, OUTSIDE

    lon, lat = INSIDE if where == "in" else OUTSIDE
    return {"category": "an-ninh-trat-tu", "lon": lon, "lat": lat, "channel": "hotline",
            "title": "Gây rối", "description": "Người dân gọi báo", "reporter_phone": "0900000001"}


endpoint("incident-comments", "get",
         lambda w, where: f"/api/incidents/{_incident(w, where)}/comments/",
         expect=incident_read(), default=(404, 404))
endpoint("incident-comments", "post",
         lambda w, where: f"/api/incidents/{_incident(w, where)}/comments/",
         body=lambda w, where: {"text": "Đã cử người xử lý.", "public": True},
         expect=incident_comment(), default=(404, 404))
# Staff channels: the right to open incidents, in one's sector; outside one's units a write
# leaving one's ground (400, as for features).
endpoint("incident-list", "post", lambda w, where: "/api/incidents/", body=_hotline_body,
         default=(403, 403), expect={"administrator": (201, 201),
                                     "sector_operator": (201, 400), "field_staff": (201, 400)})
endpoint("incident-duplicates", "get",
         lambda w, where: "/api/incidents/duplicates/?category=khac&lon=105.9&lat=19.74")
endpoint("report-track", "get", lambda w, where: f"/api/reports/{_incident(w, where)}/")
endpoint("report-rating", "post", lambda w, where: f"/api/reports/{_incident(w, where)}/rating/",
         body=lambda w, where: {"rating": 5}, default=(409, 409))


def _photo_body(world, where: str) -> dict:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, format="JPEG")
    buffer.seek(0)
    buffer.name = "anh.jpg"
    return {"photo": buffer}


endpoint("report-photos", "post", lambda w, where: f"/api/reports/{_incident(w, where)}/photos/",
         body=_photo_body, default=(201, 201))
endpoint("report-photo", "get", lambda w, where: f"/api/reports/{_incident(w, where)}/photos/1/",
         default=(404, 404))  # no photo yet: a 404 for everybody, inside or not


# ---- the video wall (/api/wall/…): whoever may follow the incident feed reads it; pinning a
# scene needs `wall.pin_scene` (operators, administrators). Nothing there lies on a ground.
WALL_READERS = {r: (200, 200) for r in SEES_INCIDENTS | {"other_sector_operator"}}
WALL_PINNERS = ("sector_operator", "other_sector_operator", "administrator")

endpoint("wall-scenes", "get", lambda w, where: "/api/wall/scenes/", expect=WALL_READERS,
         default=(403, 403))
endpoint("wall-kpi", "get", lambda w, where: "/api/wall/kpi/", expect=WALL_READERS,
         default=(403, 403))
endpoint("wall-events", "get", lambda w, where: "/api/wall/events/", expect=WALL_READERS,
         default=(403, 403))
endpoint("wall-pin", "get", lambda w, where: "/api/wall/pin/", expect=WALL_READERS,
         default=(403, 403))
endpoint("wall-pin", "post", lambda w, where: "/api/wall/pin/",
         body=lambda w, where: {"scene": "tong-quan", "minutes": 5},
         expect={r: (201, 201) for r in WALL_PINNERS}, default=(403, 403))
endpoint("wall-pin", "delete", lambda w, where: "/api/wall/pin/",
         expect={r: (204, 204) for r in WALL_PINNERS}, default=(403, 403))
# The operator console's list filters (/ops/): sector, unit (its communes and assignees), codes,
# time, overdue, text — inside the caller's scope, so never more than the plain list; a unit not
# in force, or any malformed filter, is a 400 for everyone.
endpoint("incident-list", "get",
         lambda w, where: f"/api/incidents/?sector=SECURITY&unit={_unit(w, where)}"
                          "&status=new,verified&since=2020-01-01&overdue=false&q=a")
endpoint("incident-list", "get", lambda w, where: "/api/incidents/?unit=99999",
         default=(400, 400))


# ---- the drill-down's incident figures: scoped counts (bound roles count only their ground,
# so outside their units they get zeros, not a 404; the unit itself is public reference) -----
endpoint("drill-unit-incidents", "get",
         lambda w, where: f"/api/drill/units/{_unit(w, where)}/incidents/")


# ---- the planner (issue 6): counts inside a drawn polygon for staff who may view the map (a
# layer they may not see is a 404, counts are scoped: outside their units bound roles count
# zero, still a 200); exports and the briefing map for holders of access.export_data
# (leaders, planners, administrators): 403 for others who see the layer, 404 for those who don't.
def _planner_square(world, where: str) -> dict:
    from tests.access.conftest import INSIDE, OUTSIDE

    lon, lat = INSIDE if where == "in" else OUTSIDE
    return {"type": "Polygon", "coordinates": [[[lon - .01, lat - .01], [lon + .01, lat - .01],
                                                [lon + .01, lat + .01], [lon - .01, lat + .01],
                                                [lon - .01, lat - .01]]]}


def _planner_bbox(world, where: str) -> str:
    ring = _planner_square(world, where)["coordinates"][0]
    return f"{ring[0][0]},{ring[0][1]},{ring[2][0]},{ring[2][1]}"


NO_MAP = {"anonymous": (403, 403), "citizen": (403, 403)}
EXPORTERS = ("province_leader", "planner", "administrator")


def planner_export(private: bool) -> Expect:
    seen = SEES_PRIVATE if private else set(ROLES_ALL)
    expect = {role: (403, 403) for role in seen}
    expect.update({role: (200, 200) for role in EXPORTERS})
    return expect


ROLES_ALL = ("anonymous", "citizen", "province_leader", "sector_operator", "other_sector_operator",
             "unit_official", "field_staff", "planner", "wall_display", "administrator")

endpoint("planner-within", "post", lambda w, where: "/api/planner/within/",
         body=lambda w, where: {"polygon": _planner_square(w, where), "layers": [w.public.slug]},
         expect=NO_MAP)
endpoint("planner-within", "post", lambda w, where: "/api/planner/within/",
         body=lambda w, where: {"polygon": _planner_square(w, where), "layers": [w.private.slug]},
         expect={**NO_MAP, **{r: (200, 200) for r in SEES_PRIVATE}}, default=(404, 404))
for _slug_of, _private in ((lambda w: w.public.slug, False), (lambda w: w.private.slug, True)):
    endpoint("layer-export", "get",
             lambda w, where, s=_slug_of: f"/api/layers/{s(w)}/export/?format=csv"
                                          f"&bbox={_planner_bbox(w, where)}",
             expect=planner_export(_private), default=(404, 404))
    endpoint("planner-briefing", "get",
             lambda w, where, s=_slug_of: f"/api/planner/briefing/?layers={s(w)}"
                                          f"&bbox={_planner_bbox(w, where)}",
             expect=planner_export(_private), default=(404, 404))


# ---- OGC API – Features (/ogc/): the feature API's visibility and scoping through the OGC
# resources (a private layer is a 404 for those who may not see it; bound roles page through
# their ground only, so outside it an item is a 404 and a bbox there an empty page). Errors are
# the OGC exception document, which also carries the `error` member checked here. ----------
def _ogc_bbox(world, where: str) -> str:
    return _planner_bbox(world, where)


endpoint("ogc-landing", "get", lambda w, where: "/ogc/")
endpoint("ogc-conformance", "get", lambda w, where: "/ogc/conformance")
endpoint("ogc-openapi", "get", lambda w, where: "/ogc/api")
endpoint("ogc-collections", "get", lambda w, where: "/ogc/collections")
for _slug_of, _private in ((lambda w: w.public.slug, False), (lambda w: w.private.slug, True)):
    _seen = {r: (200, 200) for r in SEES_PRIVATE} if _private else {}
    endpoint("ogc-collection", "get", lambda w, where, s=_slug_of: f"/ogc/collections/{s(w)}",
             expect=_seen, default=(404, 404) if _private else (200, 200))
    endpoint("ogc-items", "get",
             lambda w, where, s=_slug_of: f"/ogc/collections/{s(w)}/items?limit=5"
                                          f"&bbox={_ogc_bbox(w, where)}",
             expect=_seen, default=(404, 404) if _private else (200, 200))
    endpoint("ogc-item", "get",
             lambda w, where, s=_slug_of: f"/ogc/collections/{s(w)}/items/{where}",
             expect=private_read() if _private else {},
             default=(404, 404) if _private else (200, 200))
endpoint("ogc-not-found", "get", lambda w, where: "/ogc/collections/x/queryables",
         default=(404, 404))


# ---- file connectors (/api/integration/…): a connector and its runs exist for those with
# feature rights in its layer's sector (else 404); uploading and the validation report need
# write rights (403). A connector lies on no ground: inside and outside answer alike (rows a
# bound uploader sends outside their ground are rejected in the run: tests/integration). ----
def _connector(world):
    from integration.models import Connector

    return Connector.objects.get_or_create(name="matrix", layer=world.private, defaults={
        "owner_department": "Công an tỉnh", "id_column": "ma"})[0]


def _import_run(world):
    from integration.models import ImportRun

    return ImportRun.objects.get_or_create(connector=_connector(world), file_name="a.csv",
                                           defaults={"file_size": 1, "driver": "CSV",
                                                     "stored_path": "matrix/data.csv"})[0]


def _upload_body(world, where: str) -> dict:
    import io
    import json

    from tests.access.conftest import INSIDE, OUTSIDE

    buffer = io.BytesIO(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"ma": where, "name": "Mới"}, "geometry": {
            "type": "Point", "coordinates": list(INSIDE if where == "in" else OUTSIDE)}}]
    }).encode())
    buffer.name = "matrix.geojson"
    return {"file": buffer}


_IMPORTERS = {"administrator": (202, 202), "sector_operator": (202, 202)}
endpoint("integration-run-create", "post",
         lambda w, where: f"/api/integration/connectors/{_connector(w).pk}/runs/",
         body=_upload_body, default=(404, 404),
         expect={**{r: (403, 403) for r in SEES_PRIVATE}, **_IMPORTERS})
endpoint("integration-run-detail", "get",
         lambda w, where: f"/api/integration/runs/{_import_run(w).pk}/",
         expect={r: (200, 200) for r in SEES_PRIVATE}, default=(404, 404))
endpoint("integration-run-report", "get",
         lambda w, where: f"/api/integration/runs/{_import_run(w).pk}/report.csv",
         default=(404, 404), expect={**{r: (403, 403) for r in SEES_PRIVATE},
                                     "administrator": (200, 200), "sector_operator": (200, 200)})


# ---- pull connectors (issue 7): "pull now" needs the same rights as uploading to the
# connector; the run is only queued here (never fetched: no commit in these tests). ----
def _pull_connector(world):
    from datetime import timedelta

    from integration.models import Connector, ConnectorKind

    return Connector.objects.get_or_create(name="matrix-pull", layer=world.private, defaults={
        "owner_department": "Công an tỉnh", "id_column": "ma", "kind": ConnectorKind.HTTP_GEOJSON,
        "url": "http://127.0.0.1:9/matrix.geojson", "pull_interval": timedelta(hours=1)})[0]


endpoint("integration-connector-pull", "post",
         lambda w, where: f"/api/integration/connectors/{_pull_connector(w).pk}/pull/",
         default=(404, 404), expect={**{r: (403, 403) for r in SEES_PRIVATE},
                                     "administrator": (202, 202), "sector_operator": (202, 202)})


# ---- alerts (issue 7: stale sources raised to their owner): readers hold alerts.view_alert;
# acknowledging needs alerts.change_alert; an alert of another sector does not exist for a
# sector-bound caller. Alerts lie on no ground: inside and outside answer alike. ----
def _alert(world):
    from django.utils import timezone

    from alerts.models import AlertKind
    from alerts.services import alert_raise

    return alert_raise(kind=AlertKind.SOURCE_STALE, subject="layer:test-private",
                       owner_department="Công an tỉnh", sector=world.private.sector,
                       title="Lớp chậm cập nhật", now=timezone.now())[0]


ALERT_READERS = ("province_leader", "sector_operator", "other_sector_operator",
                 "unit_official", "planner", "administrator")
endpoint("alert-list", "get", lambda w, where: "/api/alerts/",
         expect={r: (200, 200) for r in ALERT_READERS}, default=(403, 403))
endpoint("alert-acknowledge", "post", lambda w, where: f"/api/alerts/{_alert(w).pk}/acknowledge/",
         default=(403, 403), expect={"province_leader": (200, 200), "sector_operator": (200, 200),
                                     "administrator": (200, 200),
                                     "other_sector_operator": (404, 404)})


# ---- data sources' liveness and quality (/api/sources/): staff who view the map read it; a
# check now needs sources.run_check (operators, administrators). ----
SOURCE_READERS = SEES_PRIVATE | {"other_sector_operator"}
endpoint("source-list", "get", lambda w, where: "/api/sources/",
         expect={r: (200, 200) for r in SOURCE_READERS}, default=(403, 403))
endpoint("source-check", "post", lambda w, where: "/api/sources/check/", default=(403, 403),
         expect={r: (200, 200) for r in ("sector_operator", "other_sector_operator",
                                         "administrator")})


# ---- raster layers (/api/rasters/…, /tiles/raster/…): the vector layers' visibility rule (a
# private raster is a 404 for those who may not see it); a raster has no ground, so inside and
# outside answer alike (tiles too: both points lie on the matrix rasters). Uploading needs
# layers.add_layer in the raster's sector: administrators pass the gate and meet the file check
# (400: the body is a raster outside Thanh Hóa, so nothing is written); others 403. ----------
def _matrix_raster(world, private: bool):
    import io

    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    from rasters.models import RasterLayer
    from rasters.services import RasterInput, raster_create

    slug = "matrix-raster-private" if private else "matrix-raster-public"
    found = RasterLayer.objects.filter(slug=slug).first()
    if found:
        return found
    with rasterio.MemoryFile() as memory:
        with memory.open(driver="GTiff", width=20, height=15, count=1, dtype="uint8",
                         crs="EPSG:4326", transform=from_origin(105.75, 19.85, 0.01, 0.01),
                         nodata=255) as out:
            out.write(np.ones((15, 20), dtype=np.uint8), 1)
        data = memory.read()
    meta = RasterInput(slug=slug, title_vi="Ma trận", title_en="Matrix",
                       sector=world.private.sector if private else world.public.sector,
                       value_kind="LEVEL", value_description_vi="cấp", ramp="flood",
                       ramp_stops=[1, 2, 3], ramp_mode="STEP", is_public=not private,
                       owner_department="Thử")
    return raster_create(principal=None, meta=meta, file=io.BytesIO(data), file_name="m.tif",
                         size=len(data), dispatch=False)


def _raster_upload_outside(world, where: str) -> dict:
    import io

    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    with rasterio.MemoryFile() as memory:
        with memory.open(driver="GTiff", width=4, height=4, count=1, dtype="uint8",
                         crs="EPSG:4326", transform=from_origin(105.7, 21.1, 0.01, 0.01)) as out:
            out.write(np.ones((4, 4), dtype=np.uint8), 1)
        buffer = io.BytesIO(memory.read())
    buffer.name = "ha-noi.tif"
    return {"file": buffer, "slug": f"matrix-upload-{where}", "title_vi": "x", "title_en": "x",
            "sector": world.private.sector, "value_kind": "LEVEL", "value_description_vi": "x",
            "ramp": "flood", "ramp_stops": "1,2,3", "owner_department": "x"}


def _raster_tile(world, where: str, private: bool) -> str:
    from tests.access.conftest import INSIDE, OUTSIDE
    from tiles.grid import lonlat_to_tile

    t = lonlat_to_tile(*(INSIDE if where == "in" else OUTSIDE), 14)
    return f"/tiles/raster/{_matrix_raster(world, private).slug}/{t.z}/{t.x}/{t.y}.png"


_SEES_PRIVATE_RASTER = {r: (200, 200) for r in SEES_PRIVATE}
endpoint("raster-list", "get", lambda w, where: "/api/rasters/")
endpoint("raster-list", "post", lambda w, where: "/api/rasters/", body=_raster_upload_outside,
         default=(403, 403), expect={"administrator": (400, 400)})
endpoint("unit-rasters", "get", lambda w, where: f"/api/units/{_unit(w, where)}/rasters/")
for _private in (False, True):
    _seen = _SEES_PRIVATE_RASTER if _private else {}
    _other = (404, 404) if _private else (200, 200)
    endpoint("raster-zonal", "get",
             lambda w, where, p=_private: f"/api/rasters/{_matrix_raster(w, p).slug}/zonal/",
             expect=_seen, default=_other)
    endpoint("raster-tilejson", "get",
             lambda w, where, p=_private: f"/tiles/raster/{_matrix_raster(w, p).slug}.json",
             expect=_seen, default=_other)
    endpoint("raster-tile", "get", lambda w, where, p=_private: _raster_tile(w, where, p),
             expect=_seen, default=_other)


# ---- sensor streams (/api/observations/…): a stream exists for those who see its station
# layer; a station is a feature of that layer, read as the feature is (bound roles: 404 outside
# their ground); the latest values list only the stations one may read (still a 200). ---------
def _sensor_stream(world):
    from observations.models import Metric, SensorStream

    metric = Metric.objects.get_or_create(code="matrix_level_m", defaults={
        "name_vi": "Mực nước", "name_en": "Water level", "unit": "m"})[0]
    stream = SensorStream.objects.get_or_create(name="matrix", station_layer=world.private,
                                                defaults={
        "owner_department": "Đài KTTV", "topic_filter": "matrix/+/level",
        "mapping": {"station": "id", "time": "ts", "metrics": {"matrix_level_m": "level"}}})[0]
    stream.metrics.add(metric)
    return stream


def _observations(world, path: str) -> str:
    _sensor_stream(world)
    return path


endpoint("observation-streams", "get",
         lambda w, where: _observations(w, "/api/observations/streams/"))
endpoint("observation-list", "get",
         lambda w, where: _observations(w, f"/api/observations/?station={w.private.slug}:{where}"),
         expect=private_read(), default=(404, 404))
endpoint("observation-latest", "get",
         lambda w, where: _observations(w, f"/api/observations/latest/?layer={w.private.slug}"),
         expect={r: (200, 200) for r in SEES_PRIVATE}, default=(404, 404))


# ---- KPIs (/api/kpi/…, issue 8): public KPIs for everyone at every unit; staff data for those
# who may view the map, in the KPI's sector (security-theft: SECURITY), at units on their ground
# (bound roles: 404 outside); the summary shows off one's ground the public KPIs only (a 200).
# Importing values: data writers (layers.add_feature + change_feature); a row of another sector
# or off one's ground is a 400 for the whole file (HEALTH's notifiable-disease-cases here). ----
_KPI_SEERS = PROVINCE_WIDE | {"sector_operator", "unit_official", "field_staff"}


def _kpi_import_body(world, where: str) -> dict:
    import io

    code = world.inside_commune if where == "in" else world.outside_commune
    buffer = io.BytesIO(f"kpi,unit,period,value\nnotifiable-disease-cases,{code},2025-09,7\n"
                        .encode())
    buffer.name = "kpi.csv"
    return {"file": buffer}


endpoint("kpi-list", "get", lambda w, where: "/api/kpi/")
endpoint("kpi-detail", "get", lambda w, where: "/api/kpi/tourist-arrivals/")
endpoint("kpi-detail", "get", lambda w, where: "/api/kpi/security-theft/",
         expect={r: (200, 200) for r in _KPI_SEERS}, default=(404, 404))
endpoint("kpi-values", "get",
         lambda w, where: f"/api/kpi/security-theft/values/?unit={_unit(w, where)}",
         expect={**{r: (200, 200) for r in PROVINCE_WIDE},
                 **{r: (200, 404) for r in _KPI_SEERS - PROVINCE_WIDE}}, default=(404, 404))
endpoint("kpi-values", "get",
         lambda w, where: f"/api/kpi/tourist-arrivals/values/?unit={_unit(w, where)}")
endpoint("kpi-summary", "get", lambda w, where: f"/api/kpi/summary/?unit={_unit(w, where)}")
endpoint("kpi-values-import", "post", lambda w, where: "/api/kpi/values/import/",
         body=_kpi_import_body, default=(403, 403),
         expect={"administrator": (201, 201), "other_sector_operator": (201, 400),
                 "sector_operator": (400, 400)})


# ---- incident hotspots (issue 8): whoever may read incidents gets the map and the patterns,
# counted over their own ground and sectors (so inside and outside answer alike); others 403.
_HOTSPOT_READERS = {r: (200, 200) for r in SEES_INCIDENTS | {"other_sector_operator"}}
endpoint("hotspots", "get", lambda w, where: "/api/hotspots/?cell=5000",
         expect=_HOTSPOT_READERS, default=(403, 403))
endpoint("hotspot-patterns", "get", lambda w, where: "/api/hotspots/patterns/",
         expect=_HOTSPOT_READERS, default=(403, 403))


# ---- the strategic dashboard (issue 8): a KPI across the child units follows the KPI API's
# rules (security-theft: SECURITY staff data, bound roles 404 off their ground; a public KPI
# for everyone); the records behind a computed KPI also need the right to read incidents
# (incidents-received is CITIZEN staff data: the SECURITY/HEALTH operators and field staff do
# not read it); the briefing file is an export (leaders, planners, administrators; others 403).
endpoint("dashboard-kpi-units", "get",
         lambda w, where: f"/api/dashboard/kpi/security-theft/units/?unit={_unit(w, where)}",
         expect={**{r: (200, 200) for r in PROVINCE_WIDE},
                 **{r: (200, 404) for r in _KPI_SEERS - PROVINCE_WIDE}}, default=(404, 404))
endpoint("dashboard-kpi-units", "get",
         lambda w, where: f"/api/dashboard/kpi/tourist-arrivals/units/?unit={_unit(w, where)}")
endpoint("dashboard-kpi-records", "get",
         lambda w, where: f"/api/dashboard/kpi/incidents-received/records/?unit={_unit(w, where)}",
         expect={**{r: (200, 200) for r in PROVINCE_WIDE}, "unit_official": (200, 404)},
         default=(404, 404))
endpoint("dashboard-briefing", "get",
         lambda w, where: f"/api/dashboard/briefing/?unit={_unit(w, where)}&kpi=tourist-arrivals",
         expect={r: (200, 200) for r in EXPORTERS}, default=(403, 403))


# ---- KPI insights (issue 8): the KPI API's rules. The attention list at a unit: 404 off the
# ground of those who see staff KPIs (bound roles, HEALTH's operator included); public KPIs
# only for the others (200). A forecast: as the KPI's values (no data here: a 200 that says
# so, nothing fitted).
_INSIGHT_BOUND = {"sector_operator", "other_sector_operator", "unit_official", "field_staff"}
endpoint("insights-attention", "get",
         lambda w, where: f"/api/insights/attention/?unit={_unit(w, where)}",
         expect={r: (200, 404) for r in _INSIGHT_BOUND})
endpoint("insights-forecast", "get",
         lambda w, where: f"/api/insights/forecast/?kpi=security-theft&unit={_unit(w, where)}",
         expect={**{r: (200, 200) for r in PROVINCE_WIDE},
                 **{r: (200, 404) for r in _KPI_SEERS - PROVINCE_WIDE}}, default=(404, 404))
endpoint("insights-forecast", "get",
         lambda w, where: f"/api/insights/forecast/?kpi=tourist-arrivals&unit={_unit(w, where)}")
