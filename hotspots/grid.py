"""The hotspot grid: regular hexagons or squares of a size in metres, on a local equirectangular
projection of the province (docs/adr/0016-incident-hotspots-gi-star.md).

Metres are `x = lon · kx`, `y = lat · ky`, with kx and ky the metres per degree of longitude and
latitude at one latitude (IOC_HOTSPOTS_GRID_LATITUDE, 19.9° N). Across Thanh Hóa (19.3°–20.7° N)
a cell stays within 0.5 % of its nominal size, and the database needs two multiplications per
incident instead of a `ST_Transform` (~0.2 µs more per incident, ~15 % of a province answer).

Indexing follows PostGIS (`ST_SquareGrid`, `ST_HexagonGrid`, origin 0,0), so the cells covering
an outline come from PostGIS with the same (i, j) as the incidents' cells:
- square of side d: cell (i, j) is [i·d, (i+1)·d) × [j·d, (j+1)·d);
- flat-topped hexagon of width d across flats (edge s = d/√3): columns w = 1.5·s apart, rows
  h = d apart, odd columns half a row up; centre (i·w, (j + (i mod 2)/2)·h).

In grid units u = x/w, v = y/h (w = h = d for squares) a point's hexagon is the nearer of the
two candidate centres in columns floor(u) and floor(u)+1 (a hexagon is the set of points nearer
its centre than any other, and no other column can hold the nearest). Distances in grid units
weigh u by (w/h)² = 0.75. The SQL and the numpy versions below are the same rule."""
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from . import conf

HEX = "hex"
SQUARE = "square"
SHAPES = (HEX, SQUARE)
_ASPECT = 0.75  # (w/h)² of the hexagon grid


def metres_per_degree(latitude: float) -> tuple[float, float]:
    """(metres per degree of longitude, of latitude) on the WGS 84 ellipsoid at `latitude`."""
    phi = math.radians(latitude)
    kx = 111412.84 * math.cos(phi) - 93.5 * math.cos(3 * phi) + 0.118 * math.cos(5 * phi)
    ky = 111132.954 - 559.822 * math.cos(2 * phi) + 1.175 * math.cos(4 * phi)
    return kx, ky


@dataclass(frozen=True)
class Grid:
    """A grid of `shape` cells `cell_m` metres across."""

    shape: str
    cell_m: int
    latitude: float

    @classmethod
    def of(cls, *, shape: str, cell_m: int) -> "Grid":
        """The grid of the configured latitude."""
        if shape not in SHAPES:
            raise ValueError(f"unknown cell shape {shape!r}")
        return cls(shape=shape, cell_m=int(cell_m),
                   latitude=float(conf.get("IOC_HOTSPOTS_GRID_LATITUDE")))

    @cached_property
    def metres(self) -> tuple[float, float]:
        """(kx, ky): metres per degree of longitude and latitude."""
        return metres_per_degree(self.latitude)

    @cached_property
    def edge(self) -> float:
        """The size argument of ST_SquareGrid (side) / ST_HexagonGrid (edge), in metres."""
        return self.cell_m / math.sqrt(3) if self.shape == HEX else float(self.cell_m)

    @cached_property
    def pitch(self) -> tuple[float, float]:
        """(w, h): metres per grid unit along x and y."""
        if self.shape == HEX:
            return 1.5 * self.edge, float(self.cell_m)
        return float(self.cell_m), float(self.cell_m)

    @cached_property
    def units_per_degree(self) -> tuple[float, float]:
        """Grid units per degree of longitude and of latitude: u = lon · a, v = lat · b."""
        (kx, ky), (w, h) = self.metres, self.pitch
        return kx / w, ky / h

    @property
    def label(self) -> str:
        return f"{self.shape}-{self.cell_m}"

    # ---- a point's cell ---------------------------------------------------------------------
    def cell_query(self, source: str, carry: tuple[str, ...]) -> str:
        """SQL selecting `i`, `j` (the cell) and the `carry` columns from `source`, a query whose
        rows have the point in grid units as `hs_u`, `hs_v`. Every step is fenced (OFFSET 0):
        PostgreSQL would otherwise inline each column into every use and compute the
        hexagon's candidates many times per row (3× slower at 1 M incidents). Only our own
        SQL text goes in here; values are bound by the caller."""
        cols = ", ".join(carry)
        located = f"({source} OFFSET 0) AS located"
        if self.shape == SQUARE:
            return f"SELECT floor(hs_u)::int AS i, floor(hs_v)::int AS j, {cols} FROM {located}"
        # column ia = floor(u) and its parity a; the nearest row in it (ja) and in ia + 1 (jb)
        column = (f"SELECT hs_u, hs_v, ia, a, floor(hs_v - a * 0.5 + 0.5) AS ja, "
                  f"floor(hs_v + a * 0.5) AS jb, {cols} FROM ("
                  f"SELECT hs_u, hs_v, ia, ia - 2 * floor(ia / 2) AS a, {cols} FROM ("
                  f"SELECT hs_u, hs_v, floor(hs_u) AS ia, {cols} FROM {located}"
                  ") AS c0 OFFSET 0) AS c1 OFFSET 0")
        du_a, dv_a = "(hs_u - ia)", "(hs_v - ja - a * 0.5)"
        du_b, dv_b = "(hs_u - ia - 1)", "(hs_v - jb - (1 - a) * 0.5)"
        near = (f"{_ASPECT} * {du_a} * {du_a} + {dv_a} * {dv_a} "
                f"<= {_ASPECT} * {du_b} * {du_b} + {dv_b} * {dv_b}")
        return (f"SELECT (CASE WHEN near THEN ia ELSE ia + 1 END)::int AS i, "
                f"(CASE WHEN near THEN ja ELSE jb END)::int AS j, {cols} FROM ("
                f"SELECT ia, ja, jb, {near} AS near, {cols} FROM ({column}) AS c2 OFFSET 0"
                ") AS c3")

    def cells_of(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(i, j) of the cells holding points in degrees — the rule of `cell_query`."""
        a_u, a_v = self.units_per_degree
        u, v = np.asarray(lon, float) * a_u, np.asarray(lat, float) * a_v
        if self.shape == SQUARE:
            return np.floor(u).astype(np.int64), np.floor(v).astype(np.int64)
        ia = np.floor(u)
        a = ia - 2 * np.floor(ia / 2)
        ja = np.floor(v - a * 0.5 + 0.5)
        jb = np.floor(v + a * 0.5)
        da = _ASPECT * (u - ia) ** 2 + (v - ja - a * 0.5) ** 2
        db = _ASPECT * (u - ia - 1) ** 2 + (v - jb - (1 - a) * 0.5) ** 2
        first = da <= db
        return (np.where(first, ia, ia + 1).astype(np.int64),
                np.where(first, ja, jb).astype(np.int64))

    # ---- a cell's place ---------------------------------------------------------------------
    def centres(self, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Centres of cells, in degrees (lon, lat)."""
        (kx, ky), (w, h) = self.metres, self.pitch
        i, j = np.asarray(i, np.int64), np.asarray(j, np.int64)
        if self.shape == SQUARE:
            return (i + 0.5) * w / kx, (j + 0.5) * h / ky
        return i * w / kx, (j + (i % 2) * 0.5) * h / ky

    def rings(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Outlines of cells, in degrees: an array (cells, corners + 1, 2), closed,
        counter-clockwise (RFC 7946)."""
        (kx, ky), (w, h) = self.metres, self.pitch
        if self.shape == SQUARE:
            x0, y0 = np.asarray(i, float) * w, np.asarray(j, float) * h
            dx = np.array([0.0, w, w, 0.0, 0.0])
            dy = np.array([0.0, 0.0, h, h, 0.0])
        else:
            lon, lat = self.centres(i, j)
            x0, y0 = lon * kx, lat * ky
            angles = np.radians(np.arange(0, 420, 60))
            dx, dy = self.edge * np.cos(angles), self.edge * np.sin(angles)
        xs = x0[:, None] + dx[None, :]
        ys = y0[:, None] + dy[None, :]
        return np.stack([xs / kx, ys / ky], axis=-1)

    # ---- neighbours -------------------------------------------------------------------------
    def neighbour_offsets(self, i: np.ndarray) -> list[tuple[np.ndarray | int, np.ndarray | int]]:
        """(di, dj) of a cell itself and of the cells sharing an edge or corner with it: the 8
        around a square (queen contiguity), the 6 around a hexagon (whose rows depend on the
        parity of the column). Equivalently: cells whose centres lie within 1.5 cell widths."""
        if self.shape == SQUARE:
            return [(di, dj) for di in (-1, 0, 1) for dj in (-1, 0, 1)]
        odd = np.asarray(i, np.int64) % 2
        return [(0, 0), (0, -1), (0, 1),
                (-1, odd - 1), (-1, odd), (1, odd - 1), (1, odd)]
