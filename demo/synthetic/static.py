"""Static sector layers: health facilities, schools, tourist sites, traffic cameras and
congestion segments, mixing cited POI rows with synthetic ones (``static_features``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, Point

from .common import (
    _SYNTHETIC_PROVENANCE,
    CITY,
    KM_LAT,
    KM_LON,
    REFERENCE_TIME,
    SAM_SON,
    CommuneInfo,
    FeatureRecord,
    _commune_code,
    _Communes,
    _communes,
    _facts,
    _key,
    _poi_provenance,
    _pois,
    _rng,
    _Road,
    _roads,
    _seats,
    _to_km,
    short_name,
)


def _health(pois: list[dict[str, Any]], facts: dict, cx: _Communes) -> Iterator[FeatureRecord]:
    """Cited hospitals (keep their poi id) plus one synthetic station per commune."""
    layer = "health-facilities"
    for r in (p for p in pois if p["category"] == "health"):
        beds = facts.get((r["id"], "beds"))
        props = {"name": r["name"], "facility_type": r["subcategory"],
                 "beds": int(beds) if beds is not None else None, "ownership": "cong_lap",
                 "commune_code": _commune_code(cx, r["x"], r["y"]), **_poi_provenance(r)}
        yield FeatureRecord(layer, f"poi-{r['id']}", Point(r["x"], r["y"]), props, None)
    for i, c in enumerate(cx.items):
        rng = _rng(layer, _key(c.code))
        x, y = cx.sample(rng, np.array([i]), cluster_share=0.9)
        props = {"name": f"Trạm Y tế {short_name(c.name)}",
                 "facility_type": "commune_health_station", "beds": int(rng.integers(4, 11)),
                 "ownership": "cong_lap", "commune_code": c.code, **_SYNTHETIC_PROVENANCE}
        yield FeatureRecord(layer, f"demo-tyt-{c.code}", Point(x[0], y[0]), props, None)


# level, name prefix, student range (urban communes get up to ~2x)
_SCHOOL_LEVELS = (("preschool", "Trường Mầm non", (120, 350)),
                  ("primary", "Trường Tiểu học", (250, 800)),
                  ("lower_secondary", "Trường THCS", (250, 750)),
                  ("upper_secondary", "Trường THPT", (700, 1600)))
_POI_SCHOOL_LEVEL = {"university": "university", "college": "college",
                     "high_school": "upper_secondary"}


def _schools(pois: list[dict[str, Any]], facts: dict, cx: _Communes) -> Iterator[FeatureRecord]:
    """Cited schools plus 3 per commune; an upper-secondary one in every third commune
    and in every ward."""
    layer = "schools"
    for r in (p for p in pois if p["category"] == "education"):
        students = facts.get((r["id"], "students"))
        props = {"name": r["name"], "level": _POI_SCHOOL_LEVEL[r["subcategory"]],
                 "students": int(students) if students is not None else None,
                 "ownership": "cong_lap", "commune_code": _commune_code(cx, r["x"], r["y"]),
                 **_poi_provenance(r)}
        yield FeatureRecord(layer, f"poi-{r['id']}", Point(r["x"], r["y"]), props, None)
    for i, c in enumerate(cx.items):
        n = 4 if (i % 3 == 0 or cx.is_ward[i]) else 3
        rng = _rng(layer, _key(c.code))
        xs, ys = cx.sample(rng, np.full(n, i), cluster_share=0.8)
        size = min(2.0, 1 + 0.1 * float(cx.urban[i]))
        for k, (level, prefix, (lo, hi)) in enumerate(_SCHOOL_LEVELS[:n]):
            props = {"name": f"{prefix} {short_name(c.name)}", "level": level,
                     "students": int(rng.integers(lo, hi) * size), "ownership": "cong_lap",
                     "commune_code": c.code, **_SYNTHETIC_PROVENANCE}
            yield FeatureRecord(layer, f"demo-school-{c.code}-{k + 1}", Point(xs[k], ys[k]),
                                props, None)


_RANKING = {"heritage_unesco": "di_san_the_gioi",
            "heritage_special_national": "di_tich_quoc_gia_dac_biet",
            "national_park": "vuon_quoc_gia", "nature_reserve": "khu_bao_ton"}


def _tourism(pois: list[dict[str, Any]]) -> Iterator[FeatureRecord]:
    """All tourism rows at their real (or ring-spread town) coordinates."""
    for r in (p for p in pois if p["category"] == "tourism"):
        props = {"poi_id": r["id"], "name": r["name"], "name_en": r["name_en"],
                 "site_type": r["subcategory"], "ranking": _RANKING.get(r["subcategory"],
                                                                        "chua_xac_dinh"),
                 "coord_method": r["coord_method"],
                 "coord_precision_m": int(r["coord_precision_m"]), "fact_source": r["fact_source"]}
        yield FeatureRecord("tourist-sites", f"poi-{r['id']}", Point(r["x"], r["y"]), props, None)


_CAMERA_TYPES = (("giam_sat", "phat_nguoi", "dem_luu_luong", "nhan_dang_bien_so"),
                 (0.45, 0.25, 0.15, 0.15))
_CAMERA_STATUS = (("hoat_dong", "bao_tri", "mat_ket_noi"), (0.86, 0.07, 0.07))
_CAMERA_COUNT = {"380": 12, "382": 8}  # TP Thanh Hóa and Sầm Sơn; other seats get 2–4


def _cameras(seats: list[dict[str, str]], roads: list[_Road],
             cx: _Communes) -> Iterator[FeatureRecord]:
    """Cameras around every district seat: on the national roads within 3 km of the
    seat, otherwise on the seat's own streets (``road_id`` null)."""
    lines = [LineString(r.xy) for r in roads]
    for s in seats:
        code, rng = s["district_code"], _rng("traffic-cameras", _key(s["district_code"]))
        n = _CAMERA_COUNT.get(code) or int(rng.integers(2, 5))
        spread = 4.0 if code in _CAMERA_COUNT else 2.0
        seat = Point(*_to_km(float(s["lon"]), float(s["lat"])))
        near = [(r, ln.project(seat)) for r, ln in zip(roads, lines) if ln.distance(seat) < 3.0]
        k = 0
        for _ in range(50 * n):
            if k == n:
                break
            if near:
                road, d0 = near[int(rng.integers(len(near)))]
                x, y = road.point_at(np.array([d0 + rng.uniform(-spread, spread)]),
                                     np.array([rng.normal(0, 0.02)]))
                lon, lat, rid = float(x[0]), float(y[0]), road.road_id
            else:
                lon = float(s["lon"]) + rng.normal(0, 0.8) / KM_LON
                lat = float(s["lat"]) + rng.normal(0, 0.8) / KM_LAT
                rid = None
            if not shapely.contains_xy(cx.union, lon, lat):
                continue
            k += 1
            where = f"{rid} – {s['geonames_name']}" if rid else f"trung tâm {s['geonames_name']}"
            props = {"name": f"Camera {where} {k:02d}", "road_id": rid,
                     "camera_type": str(rng.choice(_CAMERA_TYPES[0], p=_CAMERA_TYPES[1])),
                     "status": str(rng.choice(_CAMERA_STATUS[0], p=_CAMERA_STATUS[1])),
                     "is_synthetic": True}
            yield FeatureRecord("traffic-cameras", f"demo-cam-{code}-{k}", Point(lon, lat),
                                props, None)


_LEVELS = ("thong_thoang", "dong_xe", "un_tac", "un_tac_nghiem_trong")
_LEVEL_SPEED = ((40, 70), (25, 40), (10, 25), (2, 10))
_LEVEL_P = {"urban": (0.15, 0.35, 0.35, 0.15), "town": (0.55, 0.30, 0.12, 0.03),
            "expressway": (0.85, 0.12, 0.03, 0.0)}


def _place(waypoint: str) -> str:
    """'Tân Phong (Quảng Xương)' -> 'Tân Phong'; 'Thị Trấn Lam Sơn' -> 'Lam Sơn'."""
    return re.sub(r"^(near|Thị Trấn) |\s*\(.*\)| area", "", waypoint).strip()


def _congestion_props(rng: np.random.Generator, road: _Road, i: int, j: int,
                      length_km: float) -> dict[str, Any]:
    """Level and speed of the segment leaving waypoint i towards waypoint j."""
    wx, wy = road.xy[i] / [KM_LON, KM_LAT]
    urban = min(math.dist((wx, wy), CITY), math.dist((wx, wy), SAM_SON)) < 0.03  # ~3 km
    kind = "expressway" if road.road_id.startswith("CT") else "urban" if urban else "town"
    lvl = int(rng.choice(4, p=_LEVEL_P[kind]))
    lo, hi = (80, 110) if kind == "expressway" and lvl == 0 else _LEVEL_SPEED[lvl]
    return {"road_id": road.road_id,
            "name": f"{road.road_id} {_place(road.waypoints[i])} – hướng "
                    f"{_place(road.waypoints[j])}",
            "level": _LEVELS[lvl], "speed_kmh": round(float(rng.uniform(lo, hi)), 1),
            "length_m": int(round(length_km * 1000)), "is_synthetic": True}


def _congestion(roads: list[_Road], cx: _Communes) -> Iterator[FeatureRecord]:
    """Short segments leaving each town on each road towards the next town (one feature
    per segment, with its latest observation at the evening peak of ``REFERENCE_TIME``)."""
    for road in roads:
        rng, cum = _rng("traffic-congestion", _key(road.road_id)), road.cum
        towns = [i for i, m in enumerate(road.methods) if m == "town_point"]
        for i in towns:
            for step in (-1, 1):
                ahead = [j for j in towns if (j - i) * step > 0]
                a = cum[i] + step * rng.uniform(0.1, 1.0)
                b = a + step * rng.uniform(0.6, 2.0)
                d0, d1 = sorted(np.clip([a, b], 0, cum[-1]).tolist())
                if not ahead or d1 - d0 < 0.3:
                    continue
                line = road.substring(d0, d1)
                if not cx.union.contains(line):
                    continue
                j = min(ahead, key=lambda t: abs(t - i))
                seen = REFERENCE_TIME - timedelta(minutes=int(rng.integers(0, 15)))
                yield FeatureRecord(
                    "traffic-congestion",
                    f"demo-cong-{road.road_id.lower()}-{i + 1}-{'a' if step < 0 else 'b'}",
                    line, _congestion_props(rng, road, i, j, d1 - d0), seen)


def static_features(*, fixtures_dir: Path,
                    communes: Sequence[CommuneInfo]) -> Iterator[FeatureRecord]:
    """Health facilities, schools, tourist sites, traffic cameras and congestion segments.

    Cited rows from pois.csv keep ``external_id = "poi-<id>"``; synthetic rows use
    ``demo-…`` ids derived from commune codes, district codes or road ids.
    """
    fixtures_dir = Path(fixtures_dir)
    cx = _communes(fixtures_dir, communes)
    pois, facts, roads = _pois(fixtures_dir), _facts(fixtures_dir), _roads(fixtures_dir)
    yield from _health(pois, facts, cx)
    yield from _schools(pois, facts, cx)
    yield from _tourism(pois)
    yield from _cameras(_seats(fixtures_dir), roads, cx)
    yield from _congestion(roads, cx)
