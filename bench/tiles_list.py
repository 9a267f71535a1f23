"""The fixed tile list of bench/tiles.py: seeded, so every run (and every server) sees the same
requests in the same order. Pure Python: no Django, no database."""
import math
import random
from dataclasses import dataclass

# Thanh Hóa, WGS84 (west, south, east, north).
PROVINCE = (104.36, 19.28, 106.08, 20.67)
# Where people look: towns, with how widely views scatter around them (degrees).
HOTSPOTS = [
    (105.776, 19.807, 0.06),  # TP Thanh Hóa
    (105.905, 19.742, 0.04),  # Sầm Sơn
    (105.861, 20.080, 0.04),  # Bỉm Sơn
    (105.755, 19.425, 0.06),  # Nghi Sơn
    (105.606, 19.905, 0.08),  # Thiệu Hóa / Yên Định
    (105.316, 20.066, 0.10),  # Cẩm Thủy / Bá Thước
    (105.341, 19.789, 0.08),  # Ngọc Lặc / Lam Sơn
]
# Zoom weights: a few overviews, most requests where people work, a few close-ups.
ZOOMS = {6: 2, 7: 3, 8: 12, 9: 14, 10: 16, 11: 16, 12: 15, 13: 12, 14: 3, 15: 2, 16: 2}
# (slug, query, needs the token, weight, min zoom the layer draws at)
LAYERS = [
    ("security-incidents", "", True, 45, 5),
    ("traffic-accidents", "", False, 14, 5),
    ("admin-boundaries", "date=2025-01-01", False, 14, 5),
    ("schools", "", False, 5, 10),
    ("health-facilities", "", False, 5, 8),
    ("basemap", "", False, 14, 0),
]
UNITS_VIEW_DAY = "2025-01-01"


@dataclass(frozen=True)
class TileRequest:
    slug: str
    z: int
    x: int
    y: int
    query: str = ""
    private: bool = False

    @property
    def path(self) -> str:
        """Our endpoint's path (with the query string, if any)."""
        path = f"/tiles/{self.slug}/{self.z}/{self.x}/{self.y}.pbf"
        return f"{path}?{self.query}" if self.query else path

    @property
    def is_plain_public(self) -> bool:
        """A public tile without filters: the app writes it as public.mvt.gz (nginx serves it)."""
        return not self.private and not self.query


def lonlat_to_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    """XYZ column and row of the tile at zoom z containing a WGS84 point."""
    n = 1 << z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def _point(rng: random.Random) -> tuple[float, float]:
    """Half of the views around a town, half anywhere over the province."""
    west, south, east, north = PROVINCE
    if rng.random() < 0.5:
        lon, lat, spread = rng.choice(HOTSPOTS)
        lon, lat = rng.gauss(lon, spread), rng.gauss(lat, spread)
        return min(max(lon, west), east), min(max(lat, south), north)
    return rng.uniform(west, east), rng.uniform(south, north)


def tile_list(*, size: int = 600, seed: int = 20250101) -> list[TileRequest]:
    """`size` distinct tile requests over the province, weighted to z8–z13, in a fixed order."""
    rng = random.Random(seed)
    zooms, zoom_weights = list(ZOOMS), list(ZOOMS.values())
    seen: set[TileRequest] = set()
    tiles: list[TileRequest] = []
    attempts = 0
    while len(tiles) < size and attempts < size * 50:
        attempts += 1
        z = rng.choices(zooms, zoom_weights)[0]
        drawable = [layer for layer in LAYERS if layer[4] <= z]
        slug, query, private, _, _ = rng.choices(drawable, [layer[3] for layer in drawable])[0]
        x, y = lonlat_to_xy(*_point(rng), z)
        tile = TileRequest(slug, z, x, y, query, private)
        if tile not in seen:
            seen.add(tile)
            tiles.append(tile)
    return tiles


def wrk_lines(tiles: list[TileRequest], path_of) -> list[str]:
    """Lines of a wrk URL file: 'A <path>' when the request needs the token, '- <path>' else."""
    return [f"{'A' if tile.private else '-'} {path_of(tile)}" for tile in tiles]
