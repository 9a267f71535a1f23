"""The demo's synthetic raster pair: deterministic, marked synthetic, loaded through the upload
service with statistics for both generations, fast, and idempotent."""
import time

import numpy as np
import pytest

from demo.rasters import FLOOD, MEASURE, POPULATION, demo_raster_files, demo_rasters_load
from rasters.files import sha256_of
from rasters.models import MeasureValue, RasterLayer, ZonalStat, ZonalStatus

pytestmark = pytest.mark.django_db


def test_the_files_are_deterministic(tmp_path):
    first, second = tmp_path / "1", tmp_path / "2"
    first.mkdir()
    second.mkdir()
    a, b = demo_raster_files(first), demo_raster_files(second)
    assert [sha256_of(x.path) for x in a] == [sha256_of(y.path) for y in b]


def test_load_is_fast_complete_and_idempotent(raster_dir):
    started = time.monotonic()
    assert demo_rasters_load() is True
    elapsed = time.monotonic() - started
    assert elapsed < 10, elapsed
    rasters = {r.slug: r for r in RasterLayer.objects.all()}
    assert set(rasters) == {FLOOD, POPULATION}
    for raster in rasters.values():
        assert "mô phỏng" in raster.title_vi and "synthetic" in raster.title_en
        assert "MÔ PHỎNG" in raster.attribution
        assert raster.zonal_status == ZonalStatus.DONE and raster.is_public
    flood = rasters[FLOOD]
    assert (flood.band_min, flood.band_max) == (0, 3) and flood.crs == "EPSG:4326"
    assert rasters[POPULATION].crs == "EPSG:32648"
    province = MeasureValue.objects.get(measure__slug=MEASURE, unit__code="38",
                                        generation="current")
    population = ZonalStat.objects.get(raster=rasters[POPULATION], unit__code="38",
                                       generation="current")
    assert 0 < province.zone_cells < province.cells == population.cells
    assert 0 < province.value < population.sum * 1.01  # part of the people (cells ≈ 1 km²)
    # The communes of each generation share out (nearly) the province's figure.
    for generation in ("current", "pre2025"):
        communes = MeasureValue.objects.filter(measure__slug=MEASURE, generation=generation,
                                               unit__level="COMMUNE", value__isnull=False)
        total = sum(communes.values_list("value", flat=True))
        assert total == pytest.approx(province.value, rel=0.01)
    files = sorted(p.name for p in raster_dir.iterdir() if p.is_file())
    started = time.monotonic()
    assert demo_rasters_load() is False  # nothing changed: nothing recomputed
    assert time.monotonic() - started < 3
    assert sorted(p.name for p in raster_dir.iterdir() if p.is_file()) == files
    assert np.isfinite(province.value)
