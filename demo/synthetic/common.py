"""Shared parts of the synthetic demo data: records, constants, seeded RNG, fixture
readers, and the commune, road and POI helpers used by the static and event layers.
"""

from __future__ import annotations

import csv
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import shapely
import shapely.ops
from shapely.geometry import LineString, MultiPolygon
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


# --- POIs and facts ------------------------------------------------------------

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
