"""Zonal statistics: the cells of a raster inside each administrative unit.

Rules (ADR 0013):
- a cell belongs to a unit when its **centre** lies inside the unit's outline (GDAL's
  rasterisation without all-touched), so neighbouring units never share a cell; the outline
  is projected onto the raster's own grid (the raster itself is never resampled);
- only valid cells count (not nodata, not NaN);
- a cell's area is its true (ellipsoidal, WGS84) area, computed per row from the cell at the
  raster's middle column: exact for geographic and web-mercator grids, within 0.1 % for UTM or
  VN-2000 grids inside the province;
- a measure's mask raster is sampled at the value raster's cell centres (nearest neighbour),
  so the value raster's sums are never resampled.

The demo unit polygons are approximate (flagged `is_approximate`): figures per unit are as
approximate as the outlines they are computed over."""
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from pyproj import Geod, Transformer
import rasterio
from rasterio import features, warp
from rasterio.enums import Resampling
from rasterio.windows import Window

from .inspection import valid_mask

GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class CellStats:
    """Valid cells of one raster inside one unit."""

    cells: int
    sum: float | None
    mean: float | None
    min: float | None
    max: float | None
    area_km2: float


EMPTY = CellStats(0, None, None, None, None, 0.0)


def row_areas_km2(dataset) -> np.ndarray:
    """The true area (km²) of one cell of each row of the raster."""
    transform = dataset.transform
    column = dataset.width // 2
    to_lonlat = Transformer.from_crs(dataset.crs, "EPSG:4326", always_xy=True)
    areas = np.empty(dataset.height, dtype=np.float64)
    for row in range(dataset.height):
        corners = [transform @ (column + dc, row + dr) for dc, dr in
                   ((0, 0), (1, 0), (1, 1), (0, 1))]
        lons, lats = to_lonlat.transform([c[0] for c in corners], [c[1] for c in corners])
        area, _ = GEOD.polygon_area_perimeter(lons, lats)
        areas[row] = abs(area) / 1e6
    return areas


@dataclass
class UnitCells:
    """One unit's view of a raster: the window, its values and which cells are in and valid."""

    window: Window
    values: np.ndarray      # float64
    selected: np.ndarray    # bool: centre inside the unit and valid
    areas: np.ndarray       # km² per cell of the window (rows broadcast)


def _window_of(dataset, shape_bounds: tuple[float, float, float, float]) -> Window | None:
    """The raster window covering a box in the raster's CRS (None when they do not meet)."""
    inverse = ~dataset.transform
    xs, ys = zip(*[inverse @ (x, y) for x in shape_bounds[0::2] for y in shape_bounds[1::2]])
    col0, col1 = max(0, math.floor(min(xs))), min(dataset.width, math.ceil(max(xs)))
    row0, row1 = max(0, math.floor(min(ys))), min(dataset.height, math.ceil(max(ys)))
    if col1 <= col0 or row1 <= row0:
        return None
    return Window(col0, row0, col1 - col0, row1 - row0)


def unit_cells(dataset, geometry_4326: dict, row_areas: np.ndarray) -> UnitCells | None:
    """The cells of `dataset` whose centres lie in the (GeoJSON, WGS84) geometry."""
    shape = warp.transform_geom("EPSG:4326", dataset.crs, geometry_4326)
    coordinates = np.array(list(_points(shape)))
    if not coordinates.size:
        return None
    bounds = (coordinates[:, 0].min(), coordinates[:, 1].min(), coordinates[:, 0].max(),
              coordinates[:, 1].max())
    window = _window_of(dataset, bounds)
    if window is None:
        return None
    values = dataset.read(1, window=window).astype(np.float64)
    inside = features.geometry_mask([shape], out_shape=values.shape, invert=True,
                                    transform=dataset.window_transform(window))
    selected = inside & valid_mask(values, dataset.nodata)
    row0 = int(window.row_off)
    areas = np.broadcast_to(row_areas[row0:row0 + values.shape[0], None], values.shape)
    return UnitCells(window, values, selected, areas)


def _points(geometry: dict) -> Iterator[tuple[float, float]]:
    def walk(node):
        if isinstance(node, (list, tuple)) and node and isinstance(node[0], (int, float)):
            yield node[0], node[1]
        elif isinstance(node, (list, tuple)):
            for child in node:
                yield from walk(child)
    yield from walk(geometry["coordinates"])


def cell_stats(cells: UnitCells | None) -> CellStats:
    """Count, sum, mean, min, max and area of the selected cells."""
    if cells is None or not cells.selected.any():
        return EMPTY
    chosen = cells.values[cells.selected]
    low, high = float(chosen.min()), float(chosen.max())
    mean = min(max(float(chosen.mean()), low), high)
    return CellStats(int(chosen.size), float(chosen.sum()), mean, low, high,
                     float(cells.areas[cells.selected].sum()))


def mask_on_cells(mask_dataset, cells: UnitCells, value_dataset) -> np.ndarray:
    """The mask raster's values at the value raster's cell centres of the window (NaN where
    the mask has no data), nearest neighbour."""
    sampled = np.full(cells.values.shape, np.nan, dtype=np.float64)
    warp.reproject(
        source=rasterio.band(mask_dataset, 1), destination=sampled,
        dst_transform=value_dataset.window_transform(cells.window), dst_crs=value_dataset.crs,
        dst_nodata=np.nan, resampling=Resampling.nearest)
    return sampled


@dataclass(frozen=True)
class MeasureFigure:
    """A measure in one unit: its value (None: no valid value cell), the valid value cells
    and those of them in the zone."""

    value: float | None
    cells: int
    zone_cells: int


def measure_figure(cells: UnitCells | None, *, aggregation: str, value_kind: str,
                   zone: np.ndarray | None) -> MeasureFigure:
    """Aggregate the value cells inside the unit (and, with a mask, inside the zone).

    TOTAL: counts are added, densities (per km²) are multiplied by each cell's area first;
    MEAN and MAX of the cell values (None for an empty zone); AREA: km² of the zone."""
    if cells is None or not cells.selected.any():
        return MeasureFigure(None, 0, 0)
    chosen = cells.selected if zone is None else cells.selected & zone
    count, zone_count = int(cells.selected.sum()), int(chosen.sum())
    values = cells.values[chosen]
    if aggregation == "TOTAL":
        if value_kind == "DENSITY":
            value = float((values * cells.areas[chosen]).sum())
        else:
            value = float(values.sum())
    elif aggregation == "AREA":
        value = float(cells.areas[chosen].sum())
    elif not zone_count:
        value = None
    elif aggregation == "MEAN":
        value = float(values.mean())
    else:
        value = float(values.max())
    return MeasureFigure(value, count, zone_count)


def geojson_of(geom) -> dict:
    """GeoJSON dict of a GEOS geometry (WGS84)."""
    return json.loads(geom.geojson)
