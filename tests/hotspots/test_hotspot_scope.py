"""Who sees which hotspots: a unit-bound caller's cells hold only their ground's incidents and
the statistic runs over their ground's cells only; sector-bound callers count their sectors;
callers who may not read incidents get a 403. No personal data or incident position leaves:
cells carry counts and figures only."""
import re

import numpy as np
import pytest
from shapely import wkt
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry import shape

from incidents.models import Incident
from layers.models import AdminUnit
from tests.hotspots.conftest import SAM_SON, THANH_HOA_CITY, commune_of, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_places():
    """3 disorder reports and 2 road damages in Sầm Sơn; 4 disorder reports in the city."""
    place([(SAM_SON[0] - 0.002 * k, SAM_SON[1]) for k in range(3)], category="an-ninh-trat-tu")
    place([(SAM_SON[0], SAM_SON[1] + 0.002 * k) for k in range(2)], category="hu-hong-mat-duong")
    place([(THANH_HOA_CITY[0] + 0.002 * k, THANH_HOA_CITY[1]) for k in range(4)],
          category="an-ninh-trat-tu")
    return commune_of(SAM_SON)


def _hand_count(outline, **filters) -> int:
    return sum(outline.contains(ShapelyPoint(p.x, p.y)) for p in
               Incident.objects.filter(**filters).values_list("location", flat=True))


def test_a_unit_bound_caller_counts_their_ground_only(sign_in, two_places):
    commune = two_places
    answer = sign_in("unit_official", units=[commune]).get("/api/hotspots/?cell=1000").json()
    summary = answer["summary"]
    assert summary["scope"] == "ground" and summary["incidents"] == 5
    for feature in answer["features"]:
        outline = shape(feature["geometry"])
        assert feature["properties"]["count"] == _hand_count(outline, commune_code=commune)
    # the statistic ran over the cells covering their commune (and holding their incidents)
    ground = AdminUnit.objects.get(code=commune, valid_to__isnull=True).geom
    assert 0 < summary["cells"] < 200
    assert all(shape(f["geometry"]).intersects(wkt.loads(ground.wkt)) for f in answer["features"])
    leader = sign_in("province_leader").get("/api/hotspots/?cell=1000").json()["summary"]
    assert leader["incidents"] == 9 and leader["cells"] > 10 * summary["cells"]

    patterns = sign_in("unit_official", units=[commune]).get("/api/hotspots/patterns/").json()
    assert patterns["total"] == 5


def test_a_sector_bound_caller_counts_their_sectors_only(sign_in, two_places):
    commune = two_places
    operator = sign_in("sector_operator", units=[commune], sectors=["SECURITY"])
    assert operator.get("/api/hotspots/").json()["summary"]["incidents"] == 3
    assert operator.get("/api/hotspots/?sector=TRAFFIC").json()["summary"]["incidents"] == 0
    assert operator.get("/api/hotspots/patterns/").json()["total"] == 3


@pytest.mark.parametrize("role", ["citizen", "anonymous"])
def test_callers_who_may_not_read_incidents_are_refused(client, sign_in, role, two_places):
    caller = client if role == "anonymous" else sign_in(role)
    for path in ("/api/hotspots/", "/api/hotspots/patterns/"):
        response = caller.get(path)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "hotspots_forbidden"


def test_no_personal_data_and_no_position_finer_than_a_cell(sign_in):
    lon, lat = 105.78123, 19.80987
    place([(lon, lat)], category="an-ninh-trat-tu", reporter_name="Nguyễn Văn Báo",
          reporter_phone="0912345678", reporter_email="bao@example.vn",
          address="Số 12 ngõ 34 phố Lê Lợi")
    incident = Incident.objects.get()
    client = sign_in("province_leader")
    for path in ("/api/hotspots/?cell=1000", "/api/hotspots/?cell=1000&shape=square",
                 "/api/hotspots/patterns/"):
        text = client.get(path).content.decode()
        for secret in ("Nguyễn Văn Báo", "0912345678", "bao@example.vn", "Lê Lợi",
                       incident.public_id, incident.title, incident.description,
                       f"{lon:.4f}", f"{lat:.4f}"):
            assert secret not in text, (path, secret)
    answer = client.get("/api/hotspots/?cell=1000").json()
    for feature in answer["features"]:
        assert set(feature["properties"]) == {"count", "z", "p", "class", "dominant_category",
                                              "commune_code", "commune"}
        assert feature["geometry"]["type"] == "Polygon"
        assert len(feature["geometry"]["coordinates"][0]) == 7  # a hexagon, closed
    assert {key for top in answer["summary"]["top"] for key in top} <= {
        "id", "count", "z", "p", "class", "dominant_category", "commune_code", "commune",
        "centre"}
    # every number in the answer is a cell's corner or centre, or a figure
    corners = {round(v, 6) for f in answer["features"]
               for ring in f["geometry"]["coordinates"] for pt in ring for v in pt}
    assert not any(abs(v - lon) < 1e-4 or abs(v - lat) < 1e-4 for v in corners)
    assert not re.search(r"10[45]\.\d{7,}", str(answer))  # no over-precise coordinates
    assert np.isclose(shape(answer["features"][0]["geometry"]).area,
                      shape(answer["features"][-1]["geometry"]).area)


def test_a_caller_without_ground_gets_an_empty_map(sign_in, two_places):
    """An official bound to no unit in force sees no incident: no cells, no statistic."""
    answer = sign_in("unit_official").get("/api/hotspots/").json()
    assert answer["features"] == [] and answer["summary"]["top"] == []
    assert answer["summary"]["cells"] == 0 and answer["summary"]["incidents"] == 0
    assert sign_in("unit_official").get("/api/hotspots/patterns/").json()["total"] == 0
