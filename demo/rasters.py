"""A SYNTHETIC raster pair for the demo, generated deterministically over Thanh Hóa's lowlands
and coast, and the measure joining them ("people in the flood-hazard zone per commune"):

- `ngap-lut-mo-phong`: flood hazard level 0–3 on a WGS84 grid of 0.005° (~550 m), from the
  distance to the real shoreline (GSHHG) and rivers (WDBII) of the fixtures — not a model;
- `dan-so-mo-phong`: population density (people/km²) on a UTM 48N grid of 1 km, peaks at
  Thanh Hóa city and Sầm Sơn plus a seeded noise — not a census.

Both are nodata outside the province outline. Loaded through the same service as an upload
(`rasters.services.raster_create`): checked, kept as COGs, zonal statistics for both unit
generations. Idempotent: unchanged data with complete statistics is left alone."""
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
import shapely
from pyproj import Transformer
from rasterio import features
from rasterio.transform import from_origin
from shapely.geometry import shape

from layers.models import Sector

from .sources import FIXTURES_DIR

FLOOD, POPULATION, MEASURE = "ngap-lut-mo-phong", "dan-so-mo-phong", "dan-so-vung-ngap"
SYNTHETIC = "Dữ liệu MÔ PHỎNG cho demo (ioc-gis), không phải số liệu thật"
WEST, SOUTH, EAST, NORTH = 105.45, 19.30, 106.10, 20.25  # lowlands and coast
FLOOD_CELL = 0.005  # degrees
POPULATION_CELL = 1000.0  # metres, EPSG:32648
CITY, SAM_SON = (105.776, 19.807), (105.904, 19.740)
SEED = 20250701


@dataclass(frozen=True)
class DemoRaster:
    path: Path
    meta: dict


def _geometry(name: str, kind: str | None = None):
    data = json.loads((FIXTURES_DIR / name).read_text(encoding="utf-8"))
    return shapely.union_all([shape(f["geometry"]) for f in data["features"]
                              if kind is None or f["properties"].get("kind") == kind])


def _shore():
    return _geometry("coastline_gshhg.geojson", kind="shoreline")


def _centres(transform, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    cols, rows = np.meshgrid(np.arange(width) + 0.5, np.arange(height) + 0.5)
    xs = transform.c + cols * transform.a
    ys = transform.f + rows * transform.e
    return xs, ys


def _inside(outline, transform, width: int, height: int) -> np.ndarray:
    return features.geometry_mask([outline.__geo_interface__], out_shape=(height, width),
                                  transform=transform, invert=True)


def flood_levels(outline) -> tuple[np.ndarray, object]:
    """Hazard 3 within 2 km of the shore or 0.6 km of a river, 2 within 6 / 1.5 km, 1 within
    12 / 3 km, else 0 (km ≈ degrees × 111); 255 (nodata) outside the province."""
    width = round((EAST - WEST) / FLOOD_CELL)
    height = round((NORTH - SOUTH) / FLOOD_CELL)
    transform = from_origin(WEST, NORTH, FLOOD_CELL, FLOOD_CELL)
    lons, lats = _centres(transform, width, height)
    points = shapely.points(lons, lats)
    shore = shapely.distance(points, _shore()) * 111.0
    river = shapely.distance(points, _geometry("rivers_wdbii.geojson")) * 111.0
    levels = np.zeros((height, width), dtype=np.uint8)
    for level, near_shore, near_river in ((1, 12, 3), (2, 6, 1.5), (3, 2, 0.6)):
        levels[(shore < near_shore) | (river < near_river)] = level
    levels[~_inside(outline, transform, width, height)] = 255
    return levels, transform


def population_density(outline) -> tuple[np.ndarray, object]:
    """People per km²: 250 everywhere, + 4,500 around the city, + 3,000 around Sầm Sơn,
    + 600 along the shore, times a seeded log-normal noise; -1 (nodata) outside."""
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32648", always_xy=True)
    (x0, x1), (y0, y1) = zip(*[to_utm.transform(lon, lat) for lon, lat in
                               ((WEST, SOUTH), (EAST, NORTH))])
    left, top = np.floor(x0 / 1000) * 1000, np.ceil(y1 / 1000) * 1000
    width, height = int(np.ceil((x1 - left) / 1000)), int(np.ceil((top - y0) / 1000))
    transform = from_origin(left, top, POPULATION_CELL, POPULATION_CELL)
    xs, ys = _centres(transform, width, height)

    def near(place, km):
        px, py = to_utm.transform(*place)
        return np.exp(-((xs - px) ** 2 + (ys - py) ** 2) / (2 * (km * 1000) ** 2))

    lons, lats = Transformer.from_crs("EPSG:32648", "EPSG:4326", always_xy=True).transform(xs, ys)
    shore_km = shapely.distance(shapely.points(lons, lats), _shore()) * 111.0
    density = 250 + 4500 * near(CITY, 4) + 3000 * near(SAM_SON, 2.5) + 600 * np.exp(-shore_km / 5)
    noise = np.random.default_rng(SEED).lognormal(0.0, 0.25, size=density.shape)
    density = np.round(density * noise, 1).astype(np.float32)
    outline_utm = shapely.transform(outline, lambda c: np.column_stack(
        to_utm.transform(c[:, 0], c[:, 1])))
    density[~_inside(outline_utm, transform, width, height)] = -1
    return density, transform


def _write(path: Path, values: np.ndarray, transform, crs: str, nodata: float) -> None:
    with rasterio.open(path, "w", driver="GTiff", width=values.shape[1],
                       height=values.shape[0], count=1, dtype=values.dtype, crs=crs,
                       transform=transform, nodata=nodata) as out:
        out.write(values, 1)


def demo_raster_files(directory: Path) -> list[DemoRaster]:
    """Write the two synthetic GeoTIFFs into `directory`; their files and metadata."""
    outline = _geometry("province_outline.geojson")
    levels, flood_transform = flood_levels(outline)
    density, population_transform = population_density(outline)
    _write(directory / "flood.tif", levels, flood_transform, "EPSG:4326", 255)
    _write(directory / "population.tif", density, population_transform, "EPSG:32648", -1)
    common = {"is_public": True, "attribution": SYNTHETIC, "owner_department":
              "Sở Nông nghiệp và Môi trường (demo)"}
    return [
        DemoRaster(directory / "flood.tif", {
            **common, "slug": FLOOD, "title_vi": "Nguy cơ ngập lụt (mô phỏng)",
            "title_en": "Flood hazard (synthetic)", "sector": Sector.SOCIO_ECONOMIC,
            "value_kind": "LEVEL", "value_description_vi": "Cấp nguy cơ ngập: 0 không, 1 thấp, "
            "2 trung bình, 3 cao (mô phỏng theo khoảng cách tới bờ biển và sông)",
            "value_unit": "cấp", "ramp": "flood", "ramp_stops": [1, 2, 3], "ramp_mode": "STEP",
            "description_vi": f"{SYNTHETIC}. Lưới WGS84 0,005°."}),
        DemoRaster(directory / "population.tif", {
            **common, "slug": POPULATION, "title_vi": "Mật độ dân số (mô phỏng)",
            "title_en": "Population density (synthetic)", "sector": Sector.SOCIO_ECONOMIC,
            "value_kind": "DENSITY", "value_description_vi": "Số người trên km² (mô phỏng)",
            "value_unit": "người/km²", "ramp": "ylorrd",
            "ramp_stops": [100, 400, 1000, 2500, 5000], "ramp_mode": "LINEAR",
            "description_vi": f"{SYNTHETIC}. Lưới UTM 48N (EPSG:32648) 1 km."}),
    ]


MEASURE_FIELDS = {
    "title_vi": "Dân số trong vùng ngập (mô phỏng)",
    "title_en": "People in the flood-hazard zone (synthetic)",
    "mask_threshold": 2.0, "aggregation": "TOTAL", "unit_vi": "người", "unit_en": "people",
    "decimals": 0, "position": 0,
}


def demo_rasters_load(*, progress: bool = False) -> bool:
    """Create or refresh the demo rasters and their measure; whether anything was computed."""
    from rasters.files import stored_path
    from rasters.models import MeasureValue, RasterLayer, ZonalMeasure, ZonalStat
    from rasters.services import RasterInput, raster_create, raster_delete
    from rasters.zonal_runs import raster_zonal_compute, units_of

    changed = False
    with tempfile.TemporaryDirectory(prefix="ioc-demo-rasters-") as scratch:
        rasters = {}
        for item in demo_raster_files(Path(scratch)):
            existing = RasterLayer.objects.filter(slug=item.meta["slug"]).first()
            digest = _sha256(item.path)
            if (existing and existing.source_sha256 == digest
                    and stored_path(existing.file_name).exists()):
                rasters[existing.slug] = existing
                continue
            if existing:
                raster_delete(raster=existing)
            with item.path.open("rb") as handle:
                rasters[item.meta["slug"]] = raster_create(
                    principal=None, meta=RasterInput(**item.meta), file=handle,
                    file_name=item.path.name, size=item.path.stat().st_size, dispatch=False)
            changed = True
    measure, created = ZonalMeasure.objects.update_or_create(
        slug=MEASURE, defaults={**MEASURE_FIELDS, "value_raster": rasters[POPULATION],
                                "mask_raster": rasters[FLOOD]})
    expected = sum(len(units_of(g)) for g in ("current", "pre2025"))
    complete = all(ZonalStat.objects.filter(raster=r).count() == expected
                   for r in rasters.values())
    complete &= MeasureValue.objects.filter(measure=measure).count() == expected
    if changed or created or not complete:
        bars = _bars(progress)
        raster_zonal_compute(raster=rasters[FLOOD], progress=bars, with_measures=False)
        raster_zonal_compute(raster=rasters[POPULATION], progress=bars)  # and the measure
        return True
    return False


def _sha256(path: Path) -> str:
    from rasters.files import sha256_of

    return sha256_of(path)


def _bars(enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    bars: dict = {}

    def progress(what: str, done: int, total: int) -> None:
        bar = bars.get(what) or bars.setdefault(what, tqdm(total=total, desc=what, unit=" đv"))
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return progress
