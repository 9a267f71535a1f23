"""Fixtures of the raster tests: a raster directory of the test's own, GeoTIFF builders, and
rasters registered through the real service (files checked, COGs written)."""
import io
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from layers.models import Sector


@pytest.fixture(autouse=True)
def raster_dir(settings, tmp_path) -> Path:
    """COGs of this test only (never var/media)."""
    settings.IOC_RASTER_DIR = str(tmp_path / "rasters")
    return tmp_path / "rasters"


def geotiff_bytes(values: np.ndarray, *, crs: str | None, transform, nodata=None,
                  count: int = 1) -> bytes:
    """A GeoTIFF of `values` (band 1; extra bands repeat it) in memory."""
    profile = {"driver": "GTiff", "width": values.shape[1], "height": values.shape[0],
               "count": count, "dtype": values.dtype, "transform": transform, "nodata": nodata}
    if crs:
        profile["crs"] = crs
    with rasterio.MemoryFile() as memory:
        with memory.open(**profile) as out:
            for band in range(1, count + 1):
                out.write(values, band)
        return memory.read()


def upload(data: bytes, name: str = "raster.tif") -> io.BytesIO:
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


META = {"title_vi": "Lớp thử", "title_en": "Test layer", "sector": Sector.SOCIO_ECONOMIC,
        "value_kind": "LEVEL", "value_description_vi": "Giá trị thử", "value_unit": "cấp",
        "ramp": "flood", "ramp_stops": [1, 2, 3], "ramp_mode": "STEP",
        "owner_department": "Sở thử nghiệm", "is_public": True}


def make_raster(slug: str, values: np.ndarray, *, crs: str, transform, nodata=None, **meta):
    """Register a raster through the service, as the system (no zonal statistics)."""
    from rasters.services import RasterInput, raster_create

    data = geotiff_bytes(values, crs=crs, transform=transform, nodata=nodata)
    return raster_create(principal=None, meta=RasterInput(slug=slug, **{**META, **meta}),
                         file=upload(data), file_name=f"{slug}.tif", size=len(data),
                         dispatch=False)


# A 1 km UTM 48N grid near Thanh Hóa city (x 590 km, y 2,190 km ≈ 105.85° E, 19.80° N).
UTM = "EPSG:32648"
UTM_ORIGIN = (590_000.0, 2_190_000.0)


def utm_grid(cell: float = 1000.0):
    return from_origin(*UTM_ORIGIN, cell, cell)


@pytest.fixture
def make_user(db):
    """make_user(role, sectors=None) → a user of that role's group (with a jurisdiction on the
    province for province-wide roles)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from access.models import Jurisdiction

    def build(role: str, *, sectors=None, name: str | None = None):
        user = get_user_model().objects.create_user(name or f"r-{role}", password="x",
                                                    is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        if sectors:
            Jurisdiction.objects.create(user=user, sectors=sectors)
        return user
    return build
