"""Who sees a raster: the vector layers' rule. A private raster (and a measure built on it) is
hidden from anonymous callers and from staff of other sectors everywhere — the list, its
statistics, a unit's figures, its tiles and TileJSON — and shown to staff who may view the
map in its sector."""
import numpy as np
import pytest

from rasters.models import ZonalMeasure
from rasters.zonal_runs import raster_zonal_compute
from tests.rasters.conftest import UTM, make_raster, utm_grid

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    data = np.full((6, 6), 7, dtype=np.float32)
    public = make_raster("cong-khai", data, crs=UTM, transform=utm_grid(), nodata=-1,
                         value_kind="COUNT", ramp="greys", ramp_stops=[0, 10])
    private = make_raster("rieng-tu", data, crs=UTM, transform=utm_grid(), nodata=-1,
                          value_kind="LEVEL", ramp="greys", ramp_stops=[0, 10],
                          is_public=False, sector="SECURITY")
    ZonalMeasure.objects.create(slug="trong-vung", title_vi="Trong vùng", title_en="In zone",
                                value_raster=public, mask_raster=private, mask_threshold=5,
                                aggregation="TOTAL")
    ZonalMeasure.objects.create(slug="tong", title_vi="Tổng", title_en="Total",
                                value_raster=public, aggregation="TOTAL")
    raster_zonal_compute(raster=public)
    raster_zonal_compute(raster=private, with_measures=False)
    return public, private


def seen(client) -> dict:
    listed = {r["slug"] for r in client.get("/api/rasters/").json()["results"]}
    unit = client.get("/api/units/38/rasters/").json()
    return {
        "list": listed,
        "unit_rasters": {r["slug"] for r in unit["rasters"]},
        "measures": {m["slug"] for m in unit["measures"]},
        "zonal": client.get("/api/rasters/rieng-tu/zonal/").status_code,
        "tilejson": client.get("/tiles/raster/rieng-tu.json").status_code,
        "tile": client.get("/tiles/raster/rieng-tu/8/203/113.png").status_code,
    }


HIDDEN = {"list": {"cong-khai"}, "unit_rasters": {"cong-khai"}, "measures": {"tong"},
          "zonal": 404, "tilejson": 404, "tile": 404}


def test_anonymous_callers_see_public_rasters_only(api_client, pair):
    assert seen(api_client) == HIDDEN


def test_staff_of_another_sector_do_not_see_it(api_client, pair, make_user):
    api_client.force_authenticate(make_user("sector_operator", sectors=["HEALTH"]))
    assert seen(api_client) == HIDDEN


@pytest.mark.parametrize("role, sectors", [("province_leader", None),
                                           ("sector_operator", ["SECURITY"]),
                                           ("planner", None)])
def test_staff_who_may_view_the_map_in_its_sector_see_all_of_it(api_client, pair, make_user,
                                                               role, sectors):
    api_client.force_authenticate(make_user(role, sectors=sectors))
    got = seen(api_client)
    assert got["list"] == got["unit_rasters"] == {"cong-khai", "rieng-tu"}
    assert got["measures"] == {"trong-vung", "tong"}
    assert (got["zonal"], got["tilejson"]) == (200, 200)
    assert got["tile"] in (200, 204)


def test_the_measure_value_is_the_same_for_everybody_who_sees_it(api_client, pair, make_user):
    anonymous = api_client.get("/api/units/38/rasters/").json()
    api_client.force_authenticate(make_user("province_leader"))
    leader = api_client.get("/api/units/38/rasters/").json()
    total = [m for m in anonymous["measures"] if m["slug"] == "tong"][0]
    assert total == [m for m in leader["measures"] if m["slug"] == "tong"][0]
    assert total["value"] == 7 * total["cells"] and total["zone_cells"] == total["cells"]
