"""An upload is kept as a valid Cloud-Optimised GeoTIFF: tiled 256 × 256, DEFLATE, overviews
down to one tile, GDAL's COG layout, in the upload's own CRS and grid with its values intact;
GDAL's own validator agrees."""
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from rasters.files import stored_path
from tests.rasters.conftest import UTM, make_raster

pytestmark = pytest.mark.django_db
VALIDATOR = Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/"
                 "validate_cloud_optimized_geotiff.py")


@pytest.fixture
def big_raster():
    values = (np.arange(1024 * 1024, dtype=np.float32) % 5000).reshape(1024, 1024)
    values[:10, :10] = -1
    return make_raster("cog-thu", values, crs=UTM, nodata=-1,
                       transform=from_origin(560_000, 2_210_000, 50, 50), value_kind="DENSITY",
                       ramp="ylorrd", ramp_stops=[0, 1000, 2000, 3000, 4000],
                       ramp_mode="LINEAR"), values


def test_the_stored_file_is_a_tiled_cog_with_overviews_in_its_own_crs(big_raster, raster_dir):
    raster, values = big_raster
    path = stored_path(raster.file_name)
    assert path.parent == raster_dir and raster.file_name.startswith("cog-thu-")
    assert [p.name for p in raster_dir.iterdir() if p.is_file()] == [raster.file_name]
    with rasterio.open(path) as cog:
        assert cog.driver == "GTiff"
        assert cog.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"
        assert cog.profile["tiled"] and cog.block_shapes == [(256, 256)]
        assert cog.compression.name.upper() == "DEFLATE"
        assert cog.overviews(1) == [2, 4]  # 1024 → 512 → 256: down to one tile
        assert cog.crs.to_epsg() == 32648 and cog.transform == from_origin(560_000, 2_210_000,
                                                                          50, 50)
        assert cog.nodata == -1
        assert np.array_equal(cog.read(1), values)  # the data itself is not resampled
    assert (raster.width, raster.height, raster.res_x, raster.res_y) == (1024, 1024, 50, 50)
    assert raster.valid_cells == 1024 * 1024 - 100
    assert raster.band_min == 0 and raster.band_max == 4999
    assert raster.file_size == path.stat().st_size and raster.crs == "EPSG:32648"


def test_gdal_validator_accepts_the_cog(big_raster):
    if not VALIDATOR.exists() or shutil.which("python3") is None:
        pytest.skip("GDAL's Python samples (python3-gdal, with gdal-bin) are not installed")
    raster, _ = big_raster
    result = subprocess.run(["/usr/bin/python3", str(VALIDATOR), "--full-check=yes",
                             str(stored_path(raster.file_name))],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid cloud optimized GeoTIFF" in result.stdout


def test_level_rasters_keep_their_classes_in_overviews(raster_dir):
    """Overviews of a LEVEL raster are nearest-neighbour: only the original classes appear."""
    values = np.tile(np.array([[0, 1, 2, 3]], dtype=np.uint8), (512, 128))
    raster = make_raster("cap-thu", values, crs="EPSG:4326", nodata=255,
                         transform=from_origin(105.5, 20.0, 0.0005, 0.0005))
    with rasterio.open(stored_path(raster.file_name), overview_level=0) as overview:
        assert set(np.unique(overview.read(1))) <= {0, 1, 2, 3}
