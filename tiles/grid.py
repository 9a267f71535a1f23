"""Web-mercator tile arithmetic: addresses, envelopes, the cluster grid and the tiles a box
touches. Pure functions; the SQL in migrations/0002 freezes the same constants."""
from dataclasses import dataclass

from .errors import TileOutOfRange

HALF_WORLD = 20037508.342789244  # metres: the 3857 extent is [-HALF_WORLD, HALF_WORLD]
EXTENT = 4096                    # MVT tile extent (tile units per side)
BUFFER = 64                      # tile units drawn beyond each edge, so strokes join up
MAX_ZOOM = 22
CELL_LEVELS_PER_TILE = 4         # a tile is drawn from 2**4 = 16 × 16 cluster cells
DETAIL_MAX_ZOOM = 9              # cells by month/category/status exist up to this zoom
# Units are simplified once per band; a tile at zoom z uses the highest band <= z.
UNIT_BANDS = (0, 4, 6, 8, 10, 12, 14)
UNIT_SIMPLIFY_TILE_UNITS = 4     # tolerance, in tile units of the band's zoom (half a pixel)


@dataclass(frozen=True)
class TileAddress:
    z: int
    x: int
    y: int

    @classmethod
    def parse(cls, z: str, x: str, y: str) -> "TileAddress":
        """Digits only, z <= MAX_ZOOM and x, y < 2**z, or TileOutOfRange (a 404): PostGIS
        raises an SQL error for addresses outside the pyramid, which must never become a 500."""
        if not (z.isascii() and z.isdigit() and x.isascii() and x.isdigit()
                and y.isascii() and y.isdigit()) or max(len(z), len(x), len(y)) > 8:
            raise TileOutOfRange("Địa chỉ tile không hợp lệ.")
        address = cls(int(z), int(x), int(y))
        if address.z > MAX_ZOOM or address.x >= 1 << address.z or address.y >= 1 << address.z:
            raise TileOutOfRange("Tile nằm ngoài lưới.")
        return address

    def __str__(self) -> str:
        return f"{self.z}/{self.x}/{self.y}"


def tile_size(z: int) -> float:
    """Width of a tile at zoom z, in metres."""
    return 2 * HALF_WORLD / (1 << z)


def tile_bounds(address: TileAddress) -> tuple[float, float, float, float]:
    """(xmin, ymin, xmax, ymax) of a tile in 3857."""
    size = tile_size(address.z)
    xmin = -HALF_WORLD + address.x * size
    ymax = HALF_WORLD - address.y * size
    return xmin, ymax - size, xmin + size, ymax


def tile_range(box: tuple[float, float, float, float], z: int,
               buffer_units: int = BUFFER) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1), inclusive, of the tiles at zoom z whose buffered area meets `box`."""
    size = tile_size(z)
    pad = size * buffer_units / EXTENT
    last = (1 << z) - 1

    def clamp(value: float) -> int:
        return min(max(int(value), 0), last)

    xmin, ymin, xmax, ymax = box
    return (clamp((xmin - pad + HALF_WORLD) // size), clamp((HALF_WORLD - ymax - pad) // size),
            clamp((xmax + pad + HALF_WORLD) // size), clamp((HALF_WORLD - ymin + pad) // size))


def lonlat_to_tile(lon: float, lat: float, z: int) -> TileAddress:
    """The tile at zoom z containing a WGS84 point."""
    import math

    n = 1 << z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return TileAddress(z, min(max(x, 0), n - 1), min(max(y, 0), n - 1))


def unit_band(z: int) -> int:
    """The simplification band drawn at zoom z."""
    return max(band for band in UNIT_BANDS if band <= z)


def unit_tolerance(band: int) -> float:
    """Simplification tolerance (metres) of a band."""
    return tile_size(band) / EXTENT * UNIT_SIMPLIFY_TILE_UNITS
