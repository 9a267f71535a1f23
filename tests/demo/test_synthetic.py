"""Tests for demo.layer_catalog and demo.synthetic (no DB, no Django).

Run: .venv/bin/python -m pytest -q tests/demo/test_synthetic.py -p no:django
"""

from __future__ import annotations

import csv
import itertools
import json
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
import shapely
from jsonschema import Draft202012Validator
from shapely.geometry import MultiPoint, MultiPolygon, shape

from demo.layer_catalog import LAYER_CATALOG, layer_by_slug
from demo.synthetic import (
    CommuneInfo,
    FeatureRecord,
    event_count,
    event_features,
    short_name,
    static_features,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "thanh-hoa"
START, MONTHS = date(2024, 6, 1), 18
SLUGS = {"traffic-accidents", "traffic-congestion", "traffic-cameras", "health-facilities",
         "schools", "tourist-sites", "security-incidents", "admin-boundaries"}
LAYER_KEYS = {"slug", "title_vi", "title_en", "description_vi", "sector", "geometry_kind",
              "source", "property_schema", "default_style", "min_zoom", "max_zoom",
              "owner_department", "update_interval_hours", "is_public", "is_temporal",
              "attribution"}
OPTIONAL_KEYS = {"aggregate_below_zoom", "category_property", "status_property"}


# --- inputs ---------------------------------------------------------------------------

def _outline() -> shapely.Geometry:
    data = json.loads((FIXTURES / "province_outline.geojson").read_text(encoding="utf-8"))
    return shape(data["features"][0]["geometry"])


def _grid_seeds(outline: shapely.Geometry, n: int) -> list[tuple[float, float]]:
    """At least n regular-grid points inside the outline (finest spacing that gives >= n)."""
    minx, miny, maxx, maxy = outline.bounds
    for step in np.arange(0.12, 0.02, -0.001):
        xs, ys = np.meshgrid(np.arange(minx + step / 2, maxx, step),
                             np.arange(maxy - step / 2, miny, -step))
        inside = shapely.contains_xy(outline, xs.ravel(), ys.ravel())
        if inside.sum() >= n:
            return list(zip(xs.ravel()[inside], ys.ravel()[inside]))[:n]
    raise AssertionError("grid too coarse")


def build_test_communes() -> list[CommuneInfo]:
    """The 166 real post-2025 names/codes on Voronoi cells of a regular grid, clipped to
    the real outline: square-ish synthetic communes that tile the whole province."""
    with open(FIXTURES / "admin_units.csv", encoding="utf-8", newline="") as fh:
        units = [r for r in csv.DictReader(fh) if r["level"] == "commune_2025"]
    outline = _outline()
    seeds = _grid_seeds(outline, len(units))
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=outline.envelope, ordered=True)
    out = []
    for unit, cell in zip(units, cells.geoms):
        geom = cell.intersection(outline)
        geom = geom if isinstance(geom, MultiPolygon) else MultiPolygon(
            [g for g in getattr(geom, "geoms", [geom]) if g.geom_type == "Polygon"])
        out.append(CommuneInfo(unit["code"], unit["name"], unit["division_type"], geom))
    return out


@pytest.fixture(scope="module")
def communes() -> list[CommuneInfo]:
    return build_test_communes()


@pytest.fixture(scope="module")
def union(communes):
    geom = shapely.union_all([c.geometry for c in communes])
    shapely.prepare(geom)
    return geom


@pytest.fixture(scope="module")
def static(communes) -> list[FeatureRecord]:
    return list(static_features(fixtures_dir=FIXTURES, communes=communes))


@pytest.fixture(scope="module")
def events(communes) -> list[FeatureRecord]:
    return list(event_features(fixtures_dir=FIXTURES, communes=communes, scale=1))


def _validators() -> dict[str, Draft202012Validator]:
    return {layer["slug"]: Draft202012Validator(layer["property_schema"])
            for layer in LAYER_CATALOG}


# --- catalog ----------------------------------------------------------------------------

def test_catalog_has_exactly_the_eight_layers():
    assert len(LAYER_CATALOG) == 8
    assert {layer["slug"] for layer in LAYER_CATALOG} == SLUGS
    for layer in LAYER_CATALOG:
        assert LAYER_KEYS <= set(layer) <= LAYER_KEYS | OPTIONAL_KEYS, layer["slug"]
        assert layer["geometry_kind"] in ("POINT", "LINE", "POLYGON")
        assert 0 <= layer["min_zoom"] <= layer["max_zoom"] <= 22
        assert layer["sector"] in ("ADMIN", "SOCIO_ECONOMIC", "GOVERNMENT", "SECURITY",
                                   "TRAFFIC", "HEALTH", "EDUCATION", "TOURISM", "PRESS",
                                   "CYBER", "CITIZEN")
    assert layer_by_slug("admin-boundaries")["source"] == "ADMIN_UNITS"
    assert {layer["source"] for layer in LAYER_CATALOG if layer["slug"] != "admin-boundaries"} \
        == {"FEATURES"}
    assert layer_by_slug("security-incidents")["is_public"] is False
    assert all(layer["is_public"] for layer in LAYER_CATALOG
               if layer["slug"] != "security-incidents")
    colours = [layer["default_style"].get("color") or layer["default_style"].get("outline")
               for layer in LAYER_CATALOG]
    assert len(set(colours)) == len(colours)


def test_catalog_schemas_are_valid_and_flag_every_property():
    for layer in LAYER_CATALOG:
        schema = layer["property_schema"]
        Draft202012Validator.check_schema(schema)
        assert schema["type"] == "object" and schema["additionalProperties"] is False
        assert set(schema["required"]) <= set(schema["properties"])
        for name, spec in schema["properties"].items():
            assert isinstance(spec.get("x-public"), bool), (layer["slug"], name)
            assert spec.get("title"), (layer["slug"], name)
    incident = layer_by_slug("security-incidents")["property_schema"]["properties"]
    assert incident["reporter_phone"]["x-public"] is False
    assert incident["status_note"]["x-public"] is False
    admin = layer_by_slug("admin-boundaries")["property_schema"]["properties"]
    assert all(spec["x-public"] for spec in admin.values())


def test_test_communes_cover_the_province(communes):
    assert len(communes) == 166 and len({c.code for c in communes}) == 166
    assert sum(c.division_type == "phường" for c in communes) == 19
    covered = shapely.union_all([c.geometry for c in communes]).area
    assert covered == pytest.approx(_outline().area, rel=1e-6)


# --- static layers ---------------------------------------------------------------------

def _check_records(records: list[FeatureRecord]) -> None:
    validators = _validators()
    for rec in records:
        errors = list(validators[rec.layer_slug].iter_errors(rec.properties))
        assert not errors, (rec.external_id, errors[0].message)
        temporal = layer_by_slug(rec.layer_slug)["is_temporal"]
        assert (rec.observed_at is not None) == temporal, rec.external_id
        if rec.observed_at is not None:
            assert rec.observed_at.utcoffset() == timedelta(hours=7)
    ids = Counter((r.layer_slug, r.external_id) for r in records)
    assert max(ids.values()) == 1


def test_static_records_validate_and_are_unique(static):
    _check_records(static)
    kinds = {"POINT": "Point", "LINE": "LineString"}
    for rec in static:
        assert rec.geometry.geom_type == kinds[layer_by_slug(rec.layer_slug)["geometry_kind"]]


def test_static_counts_and_names(static, communes):
    by_layer = Counter(r.layer_slug for r in static)
    assert by_layer["health-facilities"] == 10 + 166
    assert by_layer["tourist-sites"] == 21
    upper = sum(1 for i, c in enumerate(communes) if i % 3 == 0 or c.division_type == "phường")
    assert by_layer["schools"] == 3 + 3 * 166 + upper
    assert 30 <= by_layer["traffic-congestion"] <= 60
    cams = Counter(r.external_id.split("-")[2] for r in static
                   if r.layer_slug == "traffic-cameras")
    assert len(cams) == 27 and cams["380"] > 4 and cams["382"] > 4
    assert all(2 <= n <= 4 for code, n in cams.items() if code not in ("380", "382"))
    names = {r.properties["name"] for r in static}
    c = communes[0]  # Phường Hàm Rồng: 4 schools (first commune and a ward)
    for prefix in ("Trạm Y tế", "Trường Mầm non", "Trường Tiểu học", "Trường THCS", "Trường THPT"):
        assert f"{prefix} {short_name(c.name)}" in names
    hospitals = {r.external_id: r for r in static if r.layer_slug == "health-facilities"}
    assert hospitals["poi-H01"].properties["beds"] == 1200
    assert hospitals["poi-H01"].properties["poi_id"] == "H01"


def test_static_is_deterministic(static, communes):
    assert list(static_features(fixtures_dir=FIXTURES, communes=communes)) == static


def test_static_geometry_inside_province(static, union):
    outline = _outline().buffer(0.02)  # SOURCES.md: coastal POIs fall up to ~1.4 km outside
    land = shape(next(f["geometry"] for f in json.loads(
        (FIXTURES / "coastline_gshhg.geojson").read_text(encoding="utf-8"))["features"]
        if f["properties"].get("kind") == "land")).buffer(0.005)  # T18 sits 33 m off Hòn Mê
    for rec in static:
        if rec.properties.get("is_synthetic", False):
            assert union.covers(rec.geometry), rec.external_id
        else:  # cited coordinates, kept honest (Hòn Mê is an island off the outline)
            assert outline.covers(rec.geometry) or land.covers(rec.geometry), rec.external_id


def test_shared_town_points_are_spread(static):
    points = Counter((round(r.geometry.x, 6), round(r.geometry.y, 6)) for r in static
                     if r.geometry.geom_type == "Point")
    assert max(points.values()) == 1


# --- event layers ------------------------------------------------------------------------

def test_event_records_validate_and_are_unique(events):
    assert len(events) == event_count(scale=1) == 7_200
    assert Counter(r.layer_slug for r in events) == {"traffic-accidents": 1_200,
                                                     "security-incidents": 6_000}
    _check_records(events)


def test_events_are_deterministic(events, communes):
    again = event_features(fixtures_dir=FIXTURES, communes=communes, scale=1)
    assert all(a == b for a, b in itertools.zip_longest(again, events))


def test_events_span_eighteen_months(events):
    months = Counter((r.observed_at.year, r.observed_at.month) for r in events)
    assert len(months) == MONTHS
    assert min(months) == (2024, 6) and max(months) == (2025, 11)


def test_sam_son_summer_peak(events, communes):
    """July (two Julys in the window) clearly above February near Sầm Sơn."""
    near = {c.code for c in communes
            if (p := c.geometry.centroid).x > 105.85 and 19.68 <= p.y <= 19.80}
    assert near
    by_month = Counter(r.observed_at.month for r in events
                       if r.layer_slug == "security-incidents"
                       and r.properties["commune_code"] in near)
    print(f"\nSầm Sơn communes {sorted(near)}: July={by_month[7]} February={by_month[2]}")
    assert by_month[7] > 2 * by_month[2]
    ql47 = Counter(r.observed_at.month for r in events if r.layer_slug == "traffic-accidents"
                   and r.properties["road_id"] == "QL47")
    assert ql47[7] > ql47[2]


def test_daily_rhythm(events):
    for slug in ("traffic-accidents", "security-incidents"):
        hours = Counter(r.observed_at.hour for r in events if r.layer_slug == slug)
        evening = hours[18] + hours[19] + hours[20]
        early = hours[3] + hours[4] + hours[5]
        assert evening > 2 * early, (slug, evening, early)


def test_event_points_inside_province(events, communes, union):
    xy = np.array([(r.geometry.x, r.geometry.y) for r in events])
    assert shapely.intersects_xy(union, xy[:, 0], xy[:, 1]).all()
    by_code = {c.code: c.geometry for c in communes}
    for rec in events:
        if rec.layer_slug == "security-incidents":
            assert by_code[rec.properties["commune_code"]].covers(rec.geometry)


def test_reporter_phone_is_fake_and_optional(events):
    phones = [r.properties.get("reporter_phone") for r in events
              if r.layer_slug == "security-incidents"]
    assert any(p is None for p in phones)
    assert all(p.startswith("090000") for p in phones if p is not None)


def test_events_are_lazy(communes):
    t = time.perf_counter()
    first = list(itertools.islice(
        event_features(fixtures_dir=FIXTURES, communes=communes, scale=170), 10))
    assert len(first) == 10 and time.perf_counter() - t < 30


def test_event_count_scales():
    assert event_count(scale=0) == 0
    assert event_count(scale=170) == 170 * 7_200
    with pytest.raises(ValueError):
        event_count(scale=-1)


def test_scale_twenty_timing(communes):
    t = time.perf_counter()
    n = sum(1 for _ in event_features(fixtures_dir=FIXTURES, communes=communes, scale=20))
    print(f"\nscale=20: {n:,} events in {time.perf_counter() - t:.2f} s")
    assert n == event_count(scale=20)


def test_bad_arguments_fail_fast(communes):
    with pytest.raises(ValueError):
        event_features(fixtures_dir=FIXTURES, communes=communes, scale=-1)
    with pytest.raises(ValueError):
        event_features(fixtures_dir=FIXTURES, communes=communes, months=0)
