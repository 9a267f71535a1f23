"""Zonal statistics against a hand-computed raster, in both unit generations.

The raster: 8 rows × 10 columns of 1 km cells on UTM 48N near Thanh Hóa city, cell (r, c)
holding r·10 + c, two cells nodata. Test units are squares drawn on cell edges (so every cell
centre is 500 m from a border and belongs to one unit without doubt):

- pre-2025: district 999 = communes 99901 (rows 1–3, columns 1–3) + 99902 (rows 4–6,
  columns 4–7);
- current: commune 99903 (rows 0–1, columns 8–11: half of it beyond the raster's east edge).

A cell is 1 km² on the grid; its true area differs by UTM's scale factor (< 0.1 % here)."""
from datetime import date

import numpy as np
import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from pyproj import Transformer

from layers.models import AdminLevel, AdminUnit
from rasters.models import MeasureValue, ZonalMeasure, ZonalStat
from rasters.zonal_runs import raster_zonal_compute
from tests.rasters.conftest import UTM, UTM_ORIGIN, make_raster, utm_grid

pytestmark = pytest.mark.django_db
REFORM = date(2025, 7, 1)
NODATA_CELLS = [(2, 3), (5, 5)]
TO_LONLAT = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)


def values() -> np.ndarray:
    grid = (np.arange(8)[:, None] * 10 + np.arange(10)[None, :]).astype(np.float32)
    for r, c in NODATA_CELLS:
        grid[r, c] = -9999
    return grid


def square(rows: range, cols: range) -> MultiPolygon:
    """The cells' outline, in WGS84 (corners only: straight edges on both grids)."""
    x0, y0 = UTM_ORIGIN
    left, right = x0 + cols.start * 1000, x0 + cols.stop * 1000
    top, bottom = y0 - rows.start * 1000, y0 - rows.stop * 1000
    ring = [TO_LONLAT.transform(x, y) for x, y in
            ((left, bottom), (right, bottom), (right, top), (left, top), (left, bottom))]
    return MultiPolygon(Polygon(ring), srid=4326)


def cells(rows: range, cols: range) -> list[tuple[int, int]]:
    """The valid cells a square covers, listed by hand from the layout (columns ≥ 10 are
    beyond the raster)."""
    return [(r, c) for r in rows for c in cols if c < 10 and (r, c) not in NODATA_CELLS]


A = (range(1, 4), range(1, 4))
B = (range(4, 7), range(4, 8))
C = (range(0, 2), range(8, 12))


@pytest.fixture
def units():
    province = AdminUnit.objects.get(level=AdminLevel.PROVINCE, code="38")
    district = AdminUnit.objects.create(
        code="999", level="DISTRICT", division_type="HUYEN", name="Huyện Thử", parent=province,
        valid_to=REFORM, geom=MultiPolygon(*square(*A), *square(*B), srid=4326))
    a = AdminUnit.objects.create(code="99901", level="COMMUNE", division_type="XA",
                                 name="Xã Thử A", parent=district, valid_to=REFORM,
                                 geom=square(*A))
    b = AdminUnit.objects.create(code="99902", level="COMMUNE", division_type="XA",
                                 name="Xã Thử B", parent=district, valid_to=REFORM,
                                 geom=square(*B))
    c = AdminUnit.objects.create(code="99903", level="COMMUNE", division_type="XA",
                                 name="Xã Thử C", parent=province, valid_from=REFORM,
                                 geom=square(*C))
    return {"district": district, "a": a, "b": b, "c": c}


def by_hand(chosen: list[tuple[int, int]]) -> dict:
    numbers = [r * 10 + c for r, c in chosen]
    return {"cells": len(numbers), "sum": sum(numbers), "min": min(numbers),
            "max": max(numbers), "mean": sum(numbers) / len(numbers), "area": len(numbers)}


def assert_row(row: ZonalStat, expected: dict) -> None:
    assert row.cells == expected["cells"]
    assert row.sum == expected["sum"] and row.min == expected["min"]
    assert row.max == expected["max"]
    assert row.mean == pytest.approx(expected["mean"], rel=1e-12)
    assert row.area_km2 == pytest.approx(expected["area"], rel=1e-3)
    assert row.area_km2 > expected["area"]  # true area: UTM shrinks distances here (k < 1)


def test_statistics_per_unit_match_the_hand_computation_in_both_generations(units):
    raster = make_raster("tay-tinh", values(), crs=UTM, transform=utm_grid(), nodata=-9999,
                         value_kind="COUNT", ramp="ylorrd", ramp_stops=[0, 20, 40, 60, 80],
                         ramp_mode="LINEAR")
    raster_zonal_compute(raster=raster)
    rows = {(row.unit.code, row.generation): row
            for row in ZonalStat.objects.filter(raster=raster).select_related("unit")}
    a, b, c = cells(*A), cells(*B), cells(*C)
    assert len(a) == 8 and len(b) == 11 and len(c) == 4  # one nodata cell in A and in B
    assert_row(rows[("99901", "pre2025")], by_hand(a))
    assert_row(rows[("99902", "pre2025")], by_hand(b))
    assert_row(rows[("999", "pre2025")], by_hand(a + b))
    assert_row(rows[("99903", "current")], by_hand(c))
    assert by_hand(c)["sum"] == 8 + 9 + 18 + 19
    # Each unit appears in its own generation only; the province in both.
    assert ("99903", "pre2025") not in rows and ("99901", "current") not in rows
    assert rows[("38", "current")].units_on > REFORM
    assert rows[("38", "pre2025")].units_on == date(2025, 6, 30)
    # The province holds (almost) the whole raster: never fewer cells than its test units.
    assert rows[("38", "pre2025")].cells >= len(a) + len(b)
    # Units far from the raster: no cells, no figures.
    assert any(row.cells == 0 and row.sum is None and row.area_km2 == 0
               for row in rows.values())


def _mask_levels() -> np.ndarray:
    """Hazard levels on 2 km cells: each covers 2 × 2 value cells."""
    return np.array([[0, 2, 1, 3, 2],
                     [1, 3, 0, 2, 1],
                     [2, 0, 3, 1, 0],
                     [0, 1, 2, 0, 3]], dtype=np.uint8)


def test_the_combined_measure_counts_value_cells_where_the_mask_reaches_the_threshold(units):
    value = make_raster("nguoi-o", values(), crs=UTM, transform=utm_grid(), nodata=-9999,
                        value_kind="COUNT", ramp="ylorrd", ramp_stops=[0, 20, 40, 60, 80])
    density = make_raster("nguoi-km2", values(), crs=UTM, transform=utm_grid(), nodata=-9999,
                          value_kind="DENSITY", ramp="ylorrd", ramp_stops=[0, 20, 40, 60, 80])
    mask = make_raster("ngap-2km", _mask_levels(), crs=UTM, transform=utm_grid(2000),
                       nodata=255)
    for slug, raster, aggregation in (("tong", value, "TOTAL"), ("mat-do", density, "TOTAL"),
                                      ("dien-tich", value, "AREA"), ("lon-nhat", value, "MAX")):
        ZonalMeasure.objects.create(
            slug=slug, title_vi=slug, title_en=slug, value_raster=raster, mask_raster=mask,
            mask_threshold=2, aggregation=aggregation, unit_vi="người")
    levels = _mask_levels()

    def zone(chosen):  # by hand: the 2 km mask cell holding each 1 km cell's centre
        return [(r, c) for r, c in chosen if levels[r // 2, c // 2] >= 2]

    raster_zonal_compute(raster=mask)  # computes every measure the mask takes part in
    got = {(v.measure.slug, v.unit.code, v.generation): v
           for v in MeasureValue.objects.select_related("measure", "unit")}
    for code, generation, chosen in (("99901", "pre2025", cells(*A)),
                                     ("99902", "pre2025", cells(*B)),
                                     ("999", "pre2025", cells(*A) + cells(*B)),
                                     ("99903", "current", cells(*C))):
        inside = zone(chosen)
        total = sum(r * 10 + c for r, c in inside)
        assert inside, code  # every unit has some zone (the test would prove nothing else)
        row = got[("tong", code, generation)]
        assert (row.value, row.cells, row.zone_cells) == (total, len(chosen), len(inside))
        assert got[("mat-do", code, generation)].value == pytest.approx(total, rel=1e-3)
        assert got[("dien-tich", code, generation)].value == pytest.approx(len(inside), rel=1e-3)
        assert got[("lon-nhat", code, generation)].value == max(r * 10 + c for r, c in inside)
    # Units far from the rasters have no data (None), not zero.
    assert any(v.value is None and v.cells == 0 for v in got.values())


def test_zonal_api_and_unit_api(units, api_client):
    raster = make_raster("tay-tinh", values(), crs=UTM, transform=utm_grid(), nodata=-9999,
                         value_kind="COUNT", ramp="ylorrd", ramp_stops=[0, 20, 40, 60, 80])
    raster_zonal_compute(raster=raster)
    answer = api_client.get("/api/rasters/tay-tinh/zonal/?generation=pre2025&parent=999")
    assert answer.status_code == 200
    units_ = {u["code"]: u for u in answer.json()["units"]}
    assert set(units_) == {"99901", "99902"}
    assert units_["99901"]["sum"] == by_hand(cells(*A))["sum"] and units_["99901"]["cells"] == 8
    current = api_client.get("/api/rasters/tay-tinh/zonal/?level=commune").json()
    assert "99903" in {u["code"] for u in current["units"]}
    assert "99901" not in {u["code"] for u in current["units"]}
    unit = api_client.get("/api/units/99902/rasters/?generation=pre2025").json()
    assert unit["rasters"][0]["slug"] == "tay-tinh"
    assert unit["rasters"][0]["sum"] == by_hand(cells(*B))["sum"]
    for path, status in (("/api/rasters/tay-tinh/zonal/?generation=2024", 400),
                         ("/api/rasters/tay-tinh/zonal/?parent=abc", 400),
                         ("/api/rasters/tay-tinh/zonal/?level=hamlet", 400),
                         ("/api/rasters/tay-tinh/zonal/?parent=99998", 404),
                         ("/api/rasters/khong-co/zonal/", 404),
                         ("/api/units/99903/rasters/?generation=pre2025", 404),
                         ("/api/units/99901/rasters/?generation=x", 400)):
        response = api_client.get(path)
        assert response.status_code == status, path
        assert response.json()["error"]["status"] == status


def test_the_command_recomputes_one_generation_and_the_task_is_registered(units):
    from django.core.management import CommandError, call_command

    from rasters.tasks import celery_app, zonal_compute_task

    assert zonal_compute_task.name in celery_app.tasks
    raster = make_raster("tay-tinh", values(), crs=UTM, transform=utm_grid(), nodata=-9999,
                         value_kind="COUNT", ramp="ylorrd", ramp_stops=[0, 20, 40, 60, 80])
    call_command("rasters_zonal", "tay-tinh", "--generation", "pre2025", "--no-progress")
    generations = set(ZonalStat.objects.filter(raster=raster)
                      .values_list("generation", flat=True))
    assert generations == {"pre2025"}
    row = ZonalStat.objects.get(raster=raster, unit__code="99901")
    assert row.sum == by_hand(cells(*A))["sum"]
    assert zonal_compute_task.apply(args=[raster.pk]).get() == "done"  # the task itself
    assert ZonalStat.objects.filter(raster=raster, generation="current").exists()
    with pytest.raises(CommandError, match="khong-co"):
        call_command("rasters_zonal", "khong-co")
