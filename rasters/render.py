"""PNG tiles of a raster layer: the tile's web-mercator grid is filled from the COG by GDAL's
warper (nearest neighbour, so a tile pixel is exactly one cell's value and its colour exactly
the ramp's), reading the overview whose cells are just finer than the tile's pixels; values
are coloured by the layer's ramp, nodata is transparent.

A tile outside the raster's extent, or holding no valid cell, has nothing to draw: None (the
view answers 204, which MapLibre draws as an empty tile). The ETag is known before rendering
(file checksum, ramp, address), so a revalidation costs no raster read."""
import hashlib
import io
import logging
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import rasterio
from django.core.cache import cache
from PIL import Image
from rasterio import warp
from rasterio.enums import Resampling
from rasterio.transform import from_bounds

from tiles.grid import TileAddress, tile_bounds

from . import conf, files
from .errors import RasterFileMissing
from .models import RasterLayer
from .ramps import colourize

log = logging.getLogger(__name__)
RENDER_VERSION = 1  # bump when the drawing changes, so clients drop their copies


@dataclass(frozen=True)
class RasterTile:
    etag: str
    is_public: bool
    body: bytes | None  # None: nothing to draw


def tile_template(slug: str) -> str:
    """The path template of a raster's tiles ({z}/{x}/{y} left for the client)."""
    return f"/tiles/raster/{slug}/{{z}}/{{x}}/{{y}}.png"


def tile_etag(raster: RasterLayer, address: TileAddress) -> str:
    """Changes exactly when the drawing can change: the data, the ramp, the address."""
    key = (f"{RENDER_VERSION}:{raster.file_sha256}:{raster.ramp}:{raster.ramp_mode}:"
           f"{','.join(repr(float(s)) for s in raster.ramp_stops)}:{address}")
    return hashlib.sha256(key.encode()).hexdigest()[:32]


@lru_cache(maxsize=256)
def _extent_3857(raster_pk: int, file_sha256: str) -> tuple[float, float, float, float]:
    raster = RasterLayer.objects.only("extent").get(pk=raster_pk)
    return raster.extent.transform(3857, clone=True).extent


def outside(raster: RasterLayer, address: TileAddress) -> bool:
    """Whether the tile misses the raster's extent altogether."""
    west, south, east, north = _extent_3857(raster.pk, raster.file_sha256)
    left, bottom, right, top = tile_bounds(address)
    return right <= west or left >= east or top <= south or bottom >= north


def _overview_level(dataset, pixel_m: float, extent: tuple) -> int | None:
    """Index of the coarsest overview whose cells are no larger than a tile pixel."""
    cell_m = (extent[2] - extent[0]) / dataset.width
    chosen = None
    for index, factor in enumerate(dataset.overviews(1)):
        if cell_m * factor <= pixel_m:
            chosen = index
    return chosen


def tile_pixels(raster: RasterLayer, address: TileAddress) -> np.ndarray:
    """The tile's values (float64, NaN = nothing) on its web-mercator grid."""
    size = conf.get("IOC_RASTER_TILE_SIZE")
    bounds = tile_bounds(address)
    extent = _extent_3857(raster.pk, raster.file_sha256)
    path = files.stored_path(raster.file_name)
    if not path.is_file():
        log.error("raster %s: %s is missing", raster.slug, path)
        raise RasterFileMissing(f"Tệp của lớp raster “{raster.slug}” không có trên máy chủ.")
    out = np.full((size, size), np.nan, dtype=np.float64)
    with files.gdal_env():
        with files.open_geotiff(path) as dataset:
            level = _overview_level(dataset, (bounds[2] - bounds[0]) / size, extent)
        options = {} if level is None else {"overview_level": level}
        with rasterio.open(path, driver="GTiff", **options) as dataset:
            warp.reproject(source=rasterio.band(dataset, 1), destination=out,
                           dst_transform=from_bounds(*bounds, size, size), dst_crs="EPSG:3857",
                           dst_nodata=np.nan, resampling=Resampling.nearest)
    return out


def png_of(rgba: np.ndarray) -> bytes:
    """PNG bytes of an RGBA array."""
    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


def tile_cached(raster: RasterLayer, address: TileAddress, etag: str) -> bytes | None:
    """`tile_render` through the project's cache (Redis when configured): the ETag names the
    drawing, so an entry is never stale; b"" remembers "nothing to draw"."""
    key = f"ioc:raster-tile:{etag}"
    body = cache.get(key)
    if body is None:
        body = tile_render(raster, address) or b""
        cache.set(key, body, timeout=conf.get("IOC_RASTER_TILE_CACHE_SECONDS"))
    return body or None


def tile_render(raster: RasterLayer, address: TileAddress) -> bytes | None:
    """The PNG of a tile, or None when it has nothing to draw."""
    if outside(raster, address):
        return None
    rgba = colourize(tile_pixels(raster, address), ramp_name=raster.ramp,
                     stops=list(raster.ramp_stops), mode=raster.ramp_mode)
    if not rgba[..., 3].any():
        return None
    return png_of(rgba)
