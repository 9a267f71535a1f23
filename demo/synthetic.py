"""Deterministic synthetic sector data for the Thanh Hóa demo (no Django).

Static layers mix cited facts from ``fixtures/thanh-hoa/pois.csv`` with synthetic
rows (one health station and several schools per commune, cameras and congestion
segments along the schematic roads). Event layers (traffic accidents, security
incidents) are sampled lazily in numpy chunks with daily, weekly and seasonal
rhythms. Every random draw comes from ``numpy.random.default_rng`` seeded with
``SEED`` plus a layer number and a chunk/commune key, so reruns give identical
records and the loader can stay idempotent through ``external_id``.
"""

from __future__ import annotations

import calendar
import csv
import math
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import shapely
import shapely.ops
from shapely.geometry import LineString, MultiPolygon, Point
from shapely.geometry.base import BaseGeometry

SEED = 382025
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# "Now" of the static snapshot (congestion observations): the end of the default
# event window, at the evening peak. Fixed so that reruns are identical.
REFERENCE_TIME = datetime(2025, 11, 30, 17, 45, tzinfo=TZ)
BASE_ACCIDENTS = 1_200
BASE_INCIDENTS = 6_000
CHUNK = 50_000
KM_LAT = 110.6
KM_LON = 111.32 * math.cos(math.radians(19.9))  # flat-earth metric is fine at province scale
CITY, SAM_SON = (105.76667, 19.8), (105.9, 19.73333)
_LAYER_NO = {"traffic-accidents": 1, "traffic-congestion": 2, "traffic-cameras": 3,
             "health-facilities": 4, "schools": 5, "tourist-sites": 6, "security-incidents": 7}
# Lunar New Year (mùng 1 Tết) — travel and drinking change both layers around it.
TET = [date(y, m, d) for y, m, d in ((2020, 1, 25), (2021, 2, 12), (2022, 2, 1), (2023, 1, 22),
       (2024, 2, 10), (2025, 1, 29), (2026, 2, 17), (2027, 2, 6), (2028, 1, 26), (2029, 2, 13),
       (2030, 2, 3))]


@dataclass(frozen=True, slots=True)
class FeatureRecord:
    """One feature for the feature store; ``properties`` validate against the layer schema."""

    layer_slug: str
    external_id: str
    geometry: BaseGeometry  # WGS84 lon/lat
    properties: dict
    observed_at: datetime | None  # tz-aware for temporal layers, else None


@dataclass(frozen=True, slots=True)
class CommuneInfo:
    """A post-2025 commune or ward with an approximate lon/lat polygon."""

    code: str
    name: str
    division_type: str  # 'xã' | 'phường'
    geometry: MultiPolygon


def short_name(name: str) -> str:
    """'Phường Hạc Thành' -> 'Hạc Thành' (names of stations and schools use the bare name)."""
    for prefix in ("Xã ", "Phường ", "Thị trấn "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _rng(layer: str, key: int) -> np.random.Generator:
    """Fixed-seed generator per layer and chunk/commune key."""
    return np.random.default_rng([SEED, _LAYER_NO[layer], key])


def _read(fixtures_dir: Path, name: str) -> list[dict[str, str]]:
    """Rows of one fixture CSV."""
    with open(Path(fixtures_dir) / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _to_km(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lon/lat degrees to a local km plane (x east, y north)."""
    return np.asarray(lon) * KM_LON, np.asarray(lat) * KM_LAT


# --- communes -------------------------------------------------------------------

class _Communes:
    """Vectorised view of the commune polygons (prepared for point-in-polygon tests)."""

    def __init__(self, communes: Sequence[CommuneInfo], seats: list[tuple[float, float]]):
        if not communes:
            raise ValueError("communes must not be empty")
        self.items = list(communes)
        self.geoms = np.array([c.geometry for c in communes], dtype=object)
        shapely.prepare(self.geoms)
        self.union = shapely.union_all(self.geoms)
        shapely.prepare(self.union)
        self.tree = shapely.STRtree(self.geoms)
        # Classify by centroid (odd multipart shapes have far-off surface points), but
        # centre the clustered draws on a point that is surely inside the commune.
        mid = shapely.get_coordinates(shapely.centroid(self.geoms))
        rep = shapely.get_coordinates(shapely.point_on_surface(self.geoms))
        inside = shapely.contains_xy(self.geoms, mid[:, 0], mid[:, 1])
        self.cx = np.where(inside, mid[:, 0], rep[:, 0])
        self.cy = np.where(inside, mid[:, 1], rep[:, 1])
        self.bounds = shapely.bounds(self.geoms)
        # Spread of the clustered draws: a quarter of the commune's equivalent radius.
        area_km2 = shapely.area(self.geoms) * KM_LON * KM_LAT
        self.sigma_km = np.maximum(np.sqrt(area_km2) * 0.25, 0.3)
        self.is_ward = np.array([c.division_type == "phường" for c in communes])
        self.sam_son = (mid[:, 0] > 105.85) & (mid[:, 1] >= 19.68) & (mid[:, 1] <= 19.80)
        x, y = _to_km(mid[:, 0], mid[:, 1])

        def near(p: tuple[float, float], scale_km: float) -> np.ndarray:
            px, py = _to_km(p[0], p[1])
            return np.exp(-np.hypot(x - px, y - py) / scale_km)

        seat_near = np.max([near(s, 3.0) for s in seats], axis=0) if seats else 0.0
        # Urban-ness: wards, the provincial city and Sầm Sơn weigh most, then district seats.
        self.urban = 1 + 3 * self.is_ward + 6 * near(CITY, 6) + 4 * near(SAM_SON, 4) \
            + 1.5 * seat_near

    def locate(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Index of the commune containing each point, -1 outside all of them."""
        hits_in, hits_tree = self.tree.query(shapely.points(x, y), predicate="intersects")
        out = np.full(len(x), -1)
        out[hits_in[::-1]] = hits_tree[::-1]  # reversed so the lowest commune index wins
        return out

    def sample(self, rng: np.random.Generator, idx: np.ndarray,
               cluster_share: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
        """Points inside commune ``idx[i]``: a mix of a cluster around its centre
        (village core) and uniform draws, by vectorised rejection."""
        n = len(idx)
        x, y = np.array(self.cx[idx], float), np.array(self.cy[idx], float)
        todo = np.arange(n)
        for _ in range(60):
            if not len(todo):
                break
            ci = idx[todo]
            k = len(ci)
            b = self.bounds[ci]
            clustered = rng.random(k) < cluster_share
            gx = self.cx[ci] + rng.normal(size=k) * self.sigma_km[ci] / KM_LON
            gy = self.cy[ci] + rng.normal(size=k) * self.sigma_km[ci] / KM_LAT
            ux = b[:, 0] + rng.random(k) * (b[:, 2] - b[:, 0])
            uy = b[:, 1] + rng.random(k) * (b[:, 3] - b[:, 1])
            px, py = np.where(clustered, gx, ux), np.where(clustered, gy, uy)
            ok = shapely.contains_xy(self.geoms[ci], px, py)
            x[todo[ok]], y[todo[ok]] = px[ok], py[ok]
            todo = todo[~ok]
        return x, y  # leftovers (slivers) keep the commune centre, which is inside


def _seats(fixtures_dir: Path) -> list[dict[str, str]]:
    return _read(fixtures_dir, "district_seats.csv")


def _communes(fixtures_dir: Path, communes: Sequence[CommuneInfo]) -> _Communes:
    return _Communes(communes, [(float(s["lon"]), float(s["lat"])) for s in _seats(fixtures_dir)])


# --- roads ----------------------------------------------------------------------

@dataclass(frozen=True)
class _Road:
    """A schematic road from roads_waypoints.csv in a local km plane."""

    road_id: str
    waypoints: tuple[str, ...]
    methods: tuple[str, ...]
    xy: np.ndarray  # (n, 2) km

    @property
    def cum(self) -> np.ndarray:
        """Distance (km) of every waypoint from the start."""
        return np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(self.xy, axis=0).T))])

    def point_at(self, d: np.ndarray, offset_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Lon/lat at distance ``d`` along the road, shifted ``offset_km`` to its left."""
        cum = self.cum
        d = np.clip(d, 0, cum[-1])
        seg = np.clip(np.searchsorted(cum, d, side="right") - 1, 0, len(cum) - 2)
        vec = self.xy[seg + 1] - self.xy[seg]
        length = np.hypot(vec[:, 0], vec[:, 1])
        t = (d - cum[seg]) / length
        p = self.xy[seg] + t[:, None] * vec + offset_km[:, None] * np.c_[-vec[:, 1], vec[:, 0]] \
            / length[:, None]
        return p[:, 0] / KM_LON, p[:, 1] / KM_LAT

    def substring(self, d0: float, d1: float) -> LineString:
        """The road between two distances, as a lon/lat LineString."""
        line = shapely.ops.substring(LineString(self.xy), d0, d1)
        return shapely.transform(line, lambda c: c / [KM_LON, KM_LAT])


def _roads(fixtures_dir: Path) -> list[_Road]:
    """Roads in file order, waypoints sorted by ``seq``."""
    rows: dict[str, list[dict[str, str]]] = {}
    for r in _read(fixtures_dir, "roads_waypoints.csv"):
        rows.setdefault(r["road_id"], []).append(r)
    roads = []
    for rid, rs in rows.items():
        rs.sort(key=lambda r: int(r["seq"]))
        x, y = _to_km([float(r["lon"]) for r in rs], [float(r["lat"]) for r in rs])
        roads.append(_Road(rid, tuple(r["waypoint"] for r in rs),
                           tuple(r["coord_method"] for r in rs), np.c_[x, y]))
    return roads


# --- static layers ----------------------------------------------------------------

def _key(code: str) -> int:
    """Numeric seed key for a unit code (codes are digits; fall back to a stable hash)."""
    return int(code) if code.isdigit() else zlib.crc32(code.encode())


def _pois(fixtures_dir: Path) -> list[dict[str, Any]]:
    """pois.csv rows with float ``x``/``y``. Rows that share a GeoNames town point are
    spread on a 350 m ring so they don't stack; only ``town_point`` rows move (their
    stated precision is 2.5–8 km, so the ring stays inside the honest error)."""
    rows: list[dict[str, Any]] = _read(fixtures_dir, "pois.csv")
    groups: dict[tuple[float, float], list[dict[str, Any]]] = {}
    for r in rows:
        r["x"], r["y"] = float(r["lon"]), float(r["lat"])
        groups.setdefault((r["x"], r["y"]), []).append(r)
    for members in groups.values():
        movers = sorted((r for r in members if r["coord_method"] == "town_point"),
                        key=lambda r: r["id"])
        if len(members) < 2:
            continue
        for k, r in enumerate(movers):
            angle = 0.5 + 2 * math.pi * k / len(movers)
            r["x"] += 0.35 * math.cos(angle) / KM_LON
            r["y"] += 0.35 * math.sin(angle) / KM_LAT
    return rows


def _facts(fixtures_dir: Path) -> dict[tuple[str, str], float]:
    """Facility facts from stats.csv, e.g. ('H01', 'beds') -> 1200."""
    return {(r["unit_code"], r["indicator"]): float(r["value"])
            for r in _read(fixtures_dir, "stats.csv") if r["scope"] == "facility"}


def _poi_provenance(r: dict[str, Any]) -> dict[str, Any]:
    return {"poi_id": r["id"], "coord_method": r["coord_method"],
            "coord_precision_m": int(r["coord_precision_m"]), "fact_source": r["fact_source"],
            "is_synthetic": False}


_SYNTHETIC_PROVENANCE = {"poi_id": None, "coord_method": "synthetic", "coord_precision_m": None,
                         "fact_source": None, "is_synthetic": True}


def _commune_code(cx: _Communes, x: float, y: float) -> str | None:
    i = int(cx.locate(np.array([x]), np.array([y]))[0])
    return cx.items[i].code if i >= 0 else None


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


# --- event layers: time ------------------------------------------------------------

# Relative intensity by local hour: night lows around 3–5 am, evening peaks.
_HOURLY = {
    "traffic-accidents": np.array([.35, .25, .2, .2, .3, .6, 1.1, 1.5, 1.2, .9, .9, 1., 1.1, .9,
                                   .9, 1.1, 1.4, 1.8, 1.9, 1.6, 1.3, 1., .7, .5]),
    "security-incidents": np.array([.55, .4, .3, .22, .2, .25, .45, .7, .9, 1., 1., 1., .95, .9,
                                    .95, 1.05, 1.2, 1.4, 1.65, 1.8, 1.75, 1.5, 1.1, .8]),
}
_WEEKLY = {"traffic-accidents": np.array([.95, .92, .93, .95, 1.05, 1.2, 1.15]),  # Mon..Sun
           "security-incidents": np.array([.95, .93, .95, .97, 1.05, 1.15, 1.1])}
_TET_BOOST = {"traffic-accidents": 0.9, "security-incidents": 0.4}
_SUMMER_BOOST = 2.5  # Sầm Sơn beach season on top of the base rhythm


def _add_months(d: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (Jan 31 + 1 -> Feb 28/29)."""
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, min(d.day, calendar.monthrange(d.year + y, m + 1)[1]))


def _smooth_step(x: np.ndarray) -> np.ndarray:
    """Logistic ramp, so seasons start and end over a week or two, not overnight."""
    return 1 / (1 + np.exp(-x))


def _intensity(layer: str, start: date, n_days: int, summer: bool) -> np.ndarray:
    """Expected events per (day, hour) bin, unnormalised, flattened day-major."""
    days = np.datetime64(start, "D") + np.arange(n_days)
    f = _WEEKLY[layer][(days.astype(np.int64) + 3) % 7]  # 1970-01-01 was a Thursday
    tet = np.array(TET, dtype="datetime64[D]")
    gap = (days[:, None] - tet[None, :]).astype(np.int64)
    near = gap[np.arange(n_days), np.abs(gap).argmin(axis=1)]
    f = f * (1 + _TET_BOOST[layer] * np.exp(-0.5 * ((near - 1) / 5.0) ** 2))  # peak just after
    doy = (days - days.astype("datetime64[Y]")).astype(np.int64)
    season = _smooth_step((doy - 125) / 6) * _smooth_step((240 - doy) / 6)  # ~May 5–Aug 28
    f = f * (1 + (_SUMMER_BOOST if summer else 0.1) * season)
    return (f[:, None] * _HOURLY[layer][None, :]).ravel()


class _Clock:
    """Draws local timestamps from the (day, hour) intensity of one profile."""

    def __init__(self, layer: str, start: date, n_days: int, summer: bool):
        self.cdf = np.cumsum(_intensity(layer, start, n_days, summer))
        self.mass = float(self.cdf[-1])

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Seconds since the window start."""
        b = np.searchsorted(self.cdf, rng.random(n) * self.mass, side="right")
        return b * 3600 + (rng.random(n) * 3600).astype(np.int64)


def _draw_times(rng: np.random.Generator, summer: np.ndarray,
                clocks: tuple[_Clock, _Clock]) -> np.ndarray:
    """Seconds since the window start: base clock, or the beach-season clock where ``summer``."""
    secs = np.empty(len(summer), np.int64)
    for flag, clock in ((False, clocks[0]), (True, clocks[1])):
        secs[summer == flag] = clock.draw(rng, int((summer == flag).sum()))
    return secs


def _pick(rng: np.random.Generator, tables: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Vectorised categorical draw per record from ``tables[0]`` (e.g. day) or, where
    ``second`` is true, ``tables[1]`` (e.g. night, expressway)."""
    cdf = np.cumsum(tables, axis=1)
    cdf /= cdf[:, -1:]
    rows = cdf[second.astype(int)]
    return (rng.random(len(second))[:, None] > rows).sum(axis=1).clip(0, tables.shape[1] - 1)


# --- event layers: traffic accidents ---------------------------------------------

_SEVERITY = ("va_cham", "it_nghiem_trong", "nghiem_trong", "rat_nghiem_trong",
             "dac_biet_nghiem_trong")
_SEVERITY_P = np.array([[.40, .33, .19, .06, .02], [.30, .32, .25, .09, .04]])  # day, night
_VEHICLES = ("xe_may", "o_to_con", "o_to_tai", "xe_khach", "xe_dap", "nguoi_di_bo", "khac")
# Motorbikes, bicycles and pedestrians are banned from expressways (row 1).
_VEHICLE_P = np.array([[.62, .13, .12, .04, .05, .03, .01], [0, .45, .38, .12, 0, 0, .05]])
_CAUSES = ("vuot_toc_do", "ruou_bia", "sai_phan_lan", "khong_nhuong_duong", "mat_tap_trung",
           "phuong_tien", "khac")
_CAUSE_P = np.array([[.22, .10, .22, .18, .18, .05, .05], [.25, .35, .12, .08, .12, .04, .04]])


@dataclass(frozen=True)
class _Spot:
    """One mixture component of accident locations along a road."""

    road: int
    lo: float  # uniform draw on [lo, hi] km when sigma == 0, else normal(lo, sigma)
    hi: float
    sigma: float
    weight: float
    summer: bool


def _accident_spots(roads: list[_Road], blackspot: tuple[float, float],
                    summer_ratio: float) -> list[_Spot]:
    """Uniform background per road (50 %), town clusters (40 %), the QL47 corridor to
    Sầm Sơn with its beach season (5 %) and the R01 black spot on QL47 (5 %), before the
    summer components are scaled up by the extra mass of their clock."""
    spots: list[_Spot] = []
    per_km = {"QL1A": 1.6, "QL47": 1.0, "QL45": 1.0, "HCM": 0.8}  # expressway CT01: 0.6
    weights = [per_km.get(r.road_id, 0.6) * r.cum[-1] for r in roads]
    for k, (r, w) in enumerate(zip(roads, weights)):
        spots.append(_Spot(k, 0, r.cum[-1], 0, 0.50 * w / sum(weights), False))
    towns = [(k, i) for k, r in enumerate(roads) for i, m in enumerate(r.methods)
             if m == "town_point"]
    town_w = [4.0 if math.dist(roads[k].xy[i] / [KM_LON, KM_LAT], CITY) < 0.03 else
              3.0 if math.dist(roads[k].xy[i] / [KM_LON, KM_LAT], SAM_SON) < 0.03 else 1.0
              for k, i in towns]
    for (k, i), w in zip(towns, town_w):
        coast = roads[k].road_id == "QL47" and w == 3.0
        spots.append(_Spot(k, roads[k].cum[i], 0, 1.5,
                           0.40 * w / sum(town_w) * (summer_ratio if coast else 1), coast))
    ql47 = next(k for k, r in enumerate(roads) if r.road_id == "QL47")
    line = LineString(roads[ql47].xy)
    d_city, d_sea, d_black = (line.project(Point(*_to_km(*p))) for p in (CITY, SAM_SON, blackspot))
    spots.append(_Spot(ql47, min(d_city, d_sea), max(d_city, d_sea), 0, 0.05 * summer_ratio, True))
    spots.append(_Spot(ql47, d_black, 0, 0.3, 0.05, False))
    return spots


def _accident_sites(rng: np.random.Generator, n: int, spots: list[_Spot], roads: list[_Road],
                    cx: _Communes) -> tuple[np.ndarray, ...]:
    """n points along the roads, kept only inside the province (the commune union)."""
    p = np.array([s.weight for s in spots])
    parts: list[tuple[np.ndarray, ...]] = []
    got = 0
    for _ in range(200):
        if got >= n:
            return tuple(np.concatenate(col)[:n] for col in zip(*parts))
        m = int((n - got) * 1.1) + 16
        comp = rng.choice(len(spots), size=m, p=p / p.sum())
        x, y, road = np.empty(m), np.empty(m), np.empty(m, np.int64)
        for c in np.unique(comp):
            s, sel, length = spots[c], comp == c, roads[spots[c].road].cum[-1]
            k = int(sel.sum())
            d = rng.normal(s.lo, s.sigma, k) if s.sigma else rng.uniform(s.lo, s.hi, k)
            d = np.abs(d)  # reflect at the road ends instead of clipping: no pile-up there
            d = np.where(d > length, 2 * length - d, d)
            x[sel], y[sel] = roads[s.road].point_at(d, rng.normal(0, 0.015, k))
            road[sel] = s.road
        ci = cx.locate(x, y)
        summer = np.array([s.summer for s in spots])[comp]
        keep = ci >= 0
        parts.append((x[keep], y[keep], road[keep], summer[keep], ci[keep]))
        got += int(keep.sum())
    raise ValueError("the roads hardly cross the given communes; pass the whole province")


def _accident_chunk(rng: np.random.Generator, n: int, first: int, ctx: _EventContext
                    ) -> Iterator[FeatureRecord]:
    """``n`` accidents numbered from ``first``: place, time, then severity and parties."""
    x, y, road, summer, ci = _accident_sites(rng, n, ctx.spots, ctx.roads, ctx.cx)
    secs = _draw_times(rng, summer, ctx.accident_clocks)
    hour = (secs // 3600) % 24
    night = (hour >= 21) | (hour < 5)
    express = np.array([r.road_id.startswith("CT") for r in ctx.roads])[road]
    sev = _pick(rng, _SEVERITY_P, night)
    deaths = np.select([sev == 2, sev == 3, sev == 4], [1, 2, 3 + rng.poisson(0.7, n)], 0)
    injuries = np.select([sev == 1, sev == 2, sev == 3, sev == 4],
                         [1 + rng.poisson(0.6, n), rng.poisson(0.8, n), rng.poisson(1.5, n),
                          rng.poisson(3.0, n)], 0)
    v1, v2 = _pick(rng, _VEHICLE_P, express), _pick(rng, _VEHICLE_P, express)
    second = rng.random(n) < 0.75  # most crashes involve a second party
    cause = _pick(rng, _CAUSE_P, night)
    points = shapely.points(x, y)
    cols = zip(points, secs.tolist(), sev.tolist(), deaths.tolist(), injuries.tolist(),
               v1.tolist(), v2.tolist(), second.tolist(), cause.tolist(), road.tolist(),
               ci.tolist())
    for k, (pt, s, sv, de, inj, a, b, two, ca, rd, c) in enumerate(cols):
        vehicles = [_VEHICLES[a]] if not two or a == b else [_VEHICLES[a], _VEHICLES[b]]
        props = {"severity": _SEVERITY[sv], "vehicle_types": vehicles, "deaths": de,
                 "injuries": inj, "road_id": ctx.roads[rd].road_id, "cause": _CAUSES[ca],
                 "commune_code": ctx.cx.items[c].code, "is_synthetic": True}
        yield FeatureRecord("traffic-accidents", f"demo-acc-{first + k:07d}", pt, props,
                            ctx.t0 + timedelta(seconds=s))


# --- event layers: security incidents -----------------------------------------------

_INCIDENTS = ("theft", "fraud", "assault", "traffic_violation", "public_order", "fire", "drugs",
              "other")
_INCIDENT_P = np.array([[.28, .20, .08, .22, .09, .03, .04, .06],   # day: scams by phone
                        [.30, .05, .15, .16, .18, .04, .07, .05]])  # night: fights, disorder
_INC_SEVERITY = ("thap", "trung_binh", "cao")
_INC_SEVERITY_P = np.array([[.55, .33, .12], [.25, .45, .30]])  # other / assault, fire, drugs
_STATUS = ("tiep_nhan", "dang_xu_ly", "da_xu_ly")
_NOTES = {
    "tiep_nhan": ("Đã tiếp nhận tin báo, phân công cán bộ xác minh.",
                  "Tiếp nhận qua đường dây nóng, chờ xác minh."),
    "dang_xu_ly": ("Công an {unit} đang xác minh, làm rõ.",
                   "Đã lấy lời khai ban đầu, đang thu thập tài liệu."),
    "da_xu_ly": ("Đã xử phạt vi phạm hành chính.", "Đã chuyển hồ sơ cơ quan điều tra.",
                 "Hòa giải thành tại cơ sở.", "Đã xác minh, không có dấu hiệu vi phạm."),
}


def _incident_status(rng: np.random.Generator, age_days: np.ndarray) -> np.ndarray:
    """Recent reports are still open; old ones are mostly closed."""
    p = np.select([age_days[:, None] < 2, age_days[:, None] < 30],
                  [np.array([[.6, .4, 0]]), np.array([[.05, .55, .4]])], np.array([[0, .07, .93]]))
    return (rng.random(len(age_days))[:, None] > np.cumsum(p, axis=1)).sum(axis=1).clip(0, 2)


def _incident_chunk(rng: np.random.Generator, n: int, first: int, ctx: _EventContext
                    ) -> Iterator[FeatureRecord]:
    """``n`` incidents numbered from ``first``: commune by urban-ness, point, time, details."""
    ci = rng.choice(len(ctx.cx.items), size=n, p=ctx.incident_p)
    x, y = ctx.cx.sample(rng, ci)
    secs = _draw_times(rng, ctx.cx.sam_son[ci], ctx.incident_clocks)
    night = ((secs // 3600) % 24 >= 21) | ((secs // 3600) % 24 < 5)
    kind = _pick(rng, _INCIDENT_P, night)
    sev = _pick(rng, _INC_SEVERITY_P, np.isin(kind, (2, 5, 6)))
    status = _incident_status(rng, (ctx.window_s - secs) / 86400)
    note = rng.integers(0, 4, n)
    phone = np.where(rng.random(n) < 0.6, rng.integers(0, 10_000, n), -1)
    cols = zip(shapely.points(x, y), secs.tolist(), ci.tolist(), kind.tolist(), sev.tolist(),
               status.tolist(), note.tolist(), phone.tolist())
    for k, (pt, s, c, kd, sv, st, nt, ph) in enumerate(cols):
        commune = ctx.cx.items[c]
        notes = _NOTES[_STATUS[st]]
        props = {"incident_type": _INCIDENTS[kd], "severity": _INC_SEVERITY[sv],
                 "status": _STATUS[st],
                 "status_note": notes[nt % len(notes)].format(
                     unit=f"{commune.division_type} {short_name(commune.name)}"),
                 "commune_code": commune.code, "is_synthetic": True}
        if ph >= 0:
            props["reporter_phone"] = f"090000{ph:04d}"  # fake range, never a real subscriber
        yield FeatureRecord("security-incidents", f"demo-inc-{first + k:07d}", pt, props,
                            ctx.t0 + timedelta(seconds=s))


# --- event layers: public API ---------------------------------------------------------

class _EventContext:
    """Everything the event chunks share: communes, roads, clocks and mixture weights."""

    def __init__(self, fixtures_dir: Path, communes: Sequence[CommuneInfo], start: date,
                 months: int):
        self.cx = _communes(fixtures_dir, communes)
        self.roads = _roads(fixtures_dir)
        self.t0 = datetime(start.year, start.month, start.day, tzinfo=TZ)
        n_days = (_add_months(start, months) - start).days
        self.window_s = n_days * 86400
        self.accident_clocks = (_Clock("traffic-accidents", start, n_days, False),
                                _Clock("traffic-accidents", start, n_days, True))
        self.incident_clocks = (_Clock("security-incidents", start, n_days, False),
                                _Clock("security-incidents", start, n_days, True))
        # Summer-profile places get more events in total, not just a different shape.
        acc_ratio = self.accident_clocks[1].mass / self.accident_clocks[0].mass
        black = next(r for r in _read(fixtures_dir, "pois.csv") if r["id"] == "R01")
        self.spots = _accident_spots(self.roads, (float(black["lon"]), float(black["lat"])),
                                     acc_ratio)
        inc_ratio = self.incident_clocks[1].mass / self.incident_clocks[0].mass
        w = self.cx.urban * np.where(self.cx.sam_son, inc_ratio, 1.0)
        self.incident_p = w / w.sum()


def _check_scale(scale: int) -> None:
    """Reject negative or non-integer scales early."""
    if not isinstance(scale, int) or scale < 0:
        raise ValueError(f"scale must be a non-negative int, got {scale!r}")


def event_count(*, scale: int) -> int:
    """Exact number of records ``event_features(scale=scale)`` yields (for progress bars)."""
    _check_scale(scale)
    return (BASE_ACCIDENTS + BASE_INCIDENTS) * scale


def event_features(*, fixtures_dir: Path, communes: Sequence[CommuneInfo], scale: int = 1,
                   start: date = date(2024, 6, 1), months: int = 18) -> Iterator[FeatureRecord]:
    """Traffic accidents, then security incidents, over ``months`` from ``start``.

    At ``scale=1``: 1,200 accidents and 6,000 incidents; ``scale`` multiplies both.
    Records are produced lazily in chunks of ``CHUNK``; chunk ``k`` of a layer always
    uses ``default_rng([SEED, layer, k])``, so the output is identical on every run.
    Bad arguments raise here, not at the first ``next()``.
    """
    _check_scale(scale)
    if months < 1:
        raise ValueError("months must be >= 1")
    return _events(Path(fixtures_dir), communes, scale, start, months)


def _events(fixtures_dir: Path, communes: Sequence[CommuneInfo], scale: int, start: date,
            months: int) -> Iterator[FeatureRecord]:
    """The lazy body of ``event_features``."""
    ctx = _EventContext(fixtures_dir, communes, start, months)
    for layer, total, make in (("traffic-accidents", BASE_ACCIDENTS * scale, _accident_chunk),
                               ("security-incidents", BASE_INCIDENTS * scale, _incident_chunk)):
        for k, first in enumerate(range(0, total, CHUNK)):
            yield from make(_rng(layer, k), min(CHUNK, total - first), first, ctx)
