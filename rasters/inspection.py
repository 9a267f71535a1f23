"""What an opened GeoTIFF is, and whether we take it: one numeric band, georeferenced north-up
in a known CRS, under the cell cap, overlapping Thanh Hóa. The facts kept on the registry row
(grid, WGS84 extent, the deepest useful zoom, band statistics over valid cells) come from here.

The raster keeps its own CRS and grid (ADR 0013): resampling a count or density raster to web
mercator would change its sums, so tiles are reprojected when drawn and unit outlines are
projected onto the raster's grid for zonal statistics."""
import math
from dataclasses import dataclass

import numpy as np
from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.utils import timezone
from rasterio.warp import transform_bounds

from layers.models import AdminLevel
from layers.selectors import unit_list
from tiles.grid import HALF_WORLD, MAX_ZOOM

from . import conf
from .errors import RasterNoCrs, RasterOutsideProvince, RasterTooLarge, RasterUnsupported

THANH_HOA_FALLBACK = (104.36, 19.28, 106.08, 20.67)  # when no province unit is loaded
TILE_PIXELS = 256


@dataclass(frozen=True)
class RasterFacts:
    crs: str
    width: int
    height: int
    res_x: float
    res_y: float
    dtype: str
    extent: Polygon            # WGS84
    max_zoom: int
    nodata: float | None
    valid_cells: int
    band_min: float | None
    band_max: float | None
    band_mean: float | None
    band_std: float | None


def grid_check(dataset) -> None:
    """One numeric band, a CRS, a north-up affine grid, under the cell cap."""
    if dataset.count != 1:
        raise RasterUnsupported(f"Chỉ nhận raster một kênh (tệp có {dataset.count} kênh).")
    if np.dtype(dataset.dtypes[0]).kind not in "uif":
        raise RasterUnsupported(f"Kiểu dữ liệu {dataset.dtypes[0]} không được hỗ trợ.")
    if dataset.crs is None or not dataset.crs.to_wkt():
        raise RasterNoCrs("GeoTIFF không có hệ tọa độ (CRS): cần tệp có tham chiếu địa lý.")
    transform = dataset.transform
    if transform.is_identity or dataset.gcps[0]:
        raise RasterNoCrs("GeoTIFF không có lưới tọa độ (chỉ có điểm khống chế hoặc không có).")
    if transform.b != 0 or transform.d != 0 or transform.a <= 0 or transform.e >= 0:
        raise RasterUnsupported("Chỉ nhận lưới hướng bắc (không xoay, không lật).")
    cap = conf.get("IOC_RASTER_MAX_CELLS")
    if dataset.width * dataset.height > cap:
        raise RasterTooLarge(f"Raster {dataset.width} × {dataset.height} ô vượt giới hạn "
                             f"{cap:,} ô.")


def province_outline() -> GEOSGeometry:
    """The province as in force today (its bounding box when no unit is loaded)."""
    province = unit_list(day=timezone.localdate(), level=AdminLevel.PROVINCE).first()
    return province.geom if province else Polygon.from_bbox(THANH_HOA_FALLBACK)


def extent_of(dataset) -> Polygon:
    """The raster's footprint in WGS84 (densified edges, so curved projections are covered)."""
    west, south, east, north = transform_bounds(dataset.crs, "EPSG:4326", *dataset.bounds,
                                                densify_pts=21)
    extent = Polygon.from_bbox((west, south, east, north))
    extent.srid = 4326
    return extent


def province_check(extent: Polygon) -> None:
    """Some of the raster must lie on Thanh Hóa."""
    if not extent.intersects(province_outline()):
        west, south, east, north = extent.extent
        raise RasterOutsideProvince(
            f"Raster nằm ngoài tỉnh Thanh Hóa (phạm vi {west:.3f}, {south:.3f} – {east:.3f}, "
            f"{north:.3f}): kiểm tra hệ tọa độ của tệp.")


def max_zoom_of(dataset) -> int:
    """The zoom whose tile pixels are about the raster's cells (web-mercator metres)."""
    left, bottom, right, top = transform_bounds(dataset.crs, "EPSG:3857", *dataset.bounds)
    pixel = max((right - left) / dataset.width, (top - bottom) / dataset.height, 1e-3)
    zoom = math.ceil(math.log2(2 * HALF_WORLD / (TILE_PIXELS * pixel)))
    return max(0, min(MAX_ZOOM, zoom))


def valid_mask(values: np.ndarray, nodata: float | None) -> np.ndarray:
    """Cells holding a value: not nodata, not NaN."""
    valid = np.isfinite(values) if values.dtype.kind == "f" else np.ones(values.shape, bool)
    if nodata is not None and not math.isnan(nodata):
        valid &= values != nodata
    return valid


def band_stats(dataset, nodata: float | None) -> tuple[int, float | None, float | None,
                                                         float | None, float | None]:
    """(valid cells, min, max, mean, standard deviation) of band 1, block by block."""
    count, total, squares = 0, 0.0, 0.0
    low, high = math.inf, -math.inf
    for _, window in dataset.block_windows(1):
        values = dataset.read(1, window=window).astype(np.float64)
        chosen = values[valid_mask(values, nodata)]
        if chosen.size:
            count += chosen.size
            total += float(chosen.sum())
            squares += float(np.square(chosen).sum())
            low, high = min(low, float(chosen.min())), max(high, float(chosen.max()))
    if not count:
        return 0, None, None, None, None
    mean = total / count
    mean = min(max(mean, low), high)  # float round-off must not break min ≤ mean ≤ max
    return count, low, high, mean, math.sqrt(max(squares / count - mean * mean, 0.0))


def facts_of(dataset) -> RasterFacts:
    """Check an opened GeoTIFF and read its facts (raises a RasterFileError subclass)."""
    grid_check(dataset)
    extent = extent_of(dataset)
    province_check(extent)
    nodata = dataset.nodata
    count, low, high, mean, std = band_stats(dataset, nodata)
    epsg = dataset.crs.to_epsg()
    return RasterFacts(
        crs=f"EPSG:{epsg}" if epsg else dataset.crs.to_wkt(), width=dataset.width,
        height=dataset.height, res_x=abs(dataset.transform.a), res_y=abs(dataset.transform.e),
        dtype=dataset.dtypes[0], extent=extent, max_zoom=max_zoom_of(dataset),
        nodata=None if nodata is None or math.isnan(nodata) else float(nodata),
        valid_cells=count, band_min=low, band_max=high, band_mean=mean, band_std=std)
