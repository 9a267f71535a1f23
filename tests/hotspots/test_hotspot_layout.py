"""GET /api/hotspots/ on constructed layouts: a cluster in one corner of a 9 × 9 block of cells
is hot at 99 % and the rest of the block is not significant; z and p over the whole study area
equal esda's; the count of every cell equals a hand count of the points inside its outline;
the summary lists the hottest cells with their commune and dominant category."""
import warnings
from collections import Counter

import numpy as np
import pytest
from django.contrib.auth.models import Group
from esda.getisord import G_Local
from libpysal.weights import DistanceBand
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry import shape

from access.principal import principal_for_user
from hotspots.grid import Grid
from hotspots.selectors import hotspots
from incidents.models import Incident
from layers.models import AdminUnit
from tests.hotspots.conftest import INLAND, SAM_SON, THANH_HOA_CITY, place

pytestmark = pytest.mark.django_db


def _corner_cluster(grid: Grid, per_cell: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """A 9 × 9 block of cells from INLAND; `per_cell` incidents in each of its 3 × 3 corner
    cells (6 fires, the rest "other"), spread around the cell centres. (i, j) of the block."""
    i0, j0 = grid.cells_of(np.array([INLAND[0]]), np.array([INLAND[1]]))
    a, b = np.meshgrid(np.arange(9), np.arange(9), indexing="ij")
    i, j = i0[0] + a.ravel(), j0[0] + b.ravel()
    corner = (a.ravel() < 3) & (b.ravel() < 3)
    lon, lat = grid.centres(i[corner], j[corner])
    offsets = np.linspace(-0.004, 0.004, per_cell)  # ±0.004° ≈ ±420 m: inside a 2 km cell
    for x, y in zip(lon, lat):
        points = [(x + dx, y + dx / 2) for dx in offsets]
        place(points[:6], category="chay-no")
        place(points[6:], category="khac")
    return i, j


def test_a_corner_cluster_is_hot_at_99_and_the_rest_of_its_block_is_not(sign_in):
    grid = Grid.of(shape="square", cell_m=2000)
    i, j = _corner_cluster(grid)
    answer = sign_in("province_leader").get("/api/hotspots/?shape=square&cell=2000").json()
    cells = {f["id"]: f for f in answer["features"]}
    ids = [f"square-2000-{a}-{b}" for a, b in zip(i, j)]
    block = np.arange(81).reshape(9, 9)
    for k in block[:3, :3].ravel():
        properties = cells[ids[k]]["properties"]
        assert properties["class"] == "hot_99" and properties["count"] == 8
        assert properties["dominant_category"] == "chay-no"
    far = [ids[k] for k in block[4:, :].ravel()] + [ids[k] for k in block[:, 4:].ravel()]
    assert not any(cell in cells for cell in far)  # empty and not significant: not drawn
    summary = answer["summary"]
    assert summary["incidents"] == 72 and summary["cells_with_incidents"] == 9
    assert summary["classes"]["hot_99"] >= 9 and summary["scope"] == "province"
    assert summary["cells"] > 2500  # the province's 2 km squares, empty ones included
    assert sum(summary["classes"].values()) == summary["cells"]
    assert list(summary["categories"]) == ["chay-no"]
    assert summary["categories"]["chay-no"]["name"] == "Cháy, nổ"
    top = summary["top"]
    assert top[0]["id"] == ids[block[1, 1]]  # the middle of the cluster
    assert [t["z"] for t in top] == sorted((t["z"] for t in top), reverse=True)
    inside = Counter(Incident.objects.filter(
        location__within=shape(cells[ids[block[1, 1]]]["geometry"]).wkt).values_list(
        "commune_code", flat=True))
    assert sum(inside.values()) == 8
    assert top[0]["commune_code"] == inside.most_common(1)[0][0]
    assert top[0]["commune"] == AdminUnit.objects.filter(
        code=top[0]["commune_code"], valid_to__isnull=True).get().name


@pytest.mark.parametrize("shape_name", ["square", "hex"])
def test_z_and_p_over_the_whole_study_area_equal_esda(django_user_model, shape_name):
    grid = Grid.of(shape=shape_name, cell_m=2000)
    _corner_cluster(grid)
    place([SAM_SON, THANH_HOA_CITY, (105.6, 19.9), (105.61, 19.9)])
    leader = django_user_model.objects.create_user("hs-esda")
    leader.groups.add(Group.objects.get(name="province_leader"))
    result = hotspots(principal=principal_for_user(leader), shape=shape_name, cell_m=2000)
    # weights built by libpysal from the centroids of the outlines drawn, not from our indices
    rings = grid.rings(result.i, result.j)
    kx, ky = grid.metres
    centroids = np.array([[c.x * kx, c.y * ky] for c in
                          (shape({"type": "Polygon", "coordinates": [r]}).centroid
                           for r in rings.tolist())])
    band = DistanceBand(centroids, threshold=1.5 * 2000, binary=True, silence_warnings=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = G_Local(result.count.astype(float), band, transform="B", star=True,
                         permutations=0)
    np.testing.assert_allclose(result.z, theirs.Zs, atol=1e-9)
    np.testing.assert_allclose(result.p, 2 * theirs.p_norm, atol=1e-12)
    assert result.count.sum() == 76


def test_each_cells_count_is_a_hand_count_of_the_points_inside_it(sign_in):
    rng = np.random.default_rng(38)
    spots = [THANH_HOA_CITY, INLAND, (105.6, 19.9)]
    points = [(x + dx, y + dy) for x, y in spots
              for dx, dy in rng.normal(0, 0.01, (100, 2)).tolist()]
    place(points[:150], category="an-ninh-trat-tu")
    place(points[150:], category="hu-hong-mat-duong")
    answer = sign_in("province_leader").get("/api/hotspots/?cell=1000").json()
    located = [ShapelyPoint(p.x, p.y) for p in Incident.objects.values_list(
        "location", flat=True)]
    drawn = 0
    for feature in answer["features"]:
        outline = shape(feature["geometry"])
        inside = sum(outline.contains(p) for p in located)
        assert feature["properties"]["count"] == inside
        drawn += inside
    assert drawn == len(located) == answer["summary"]["incidents"] == 300
    with_incidents = [f for f in answer["features"] if f["properties"]["count"]]
    assert len(with_incidents) == answer["summary"]["cells_with_incidents"]
    for feature in with_incidents:
        assert feature["properties"]["dominant_category"] in {"an-ninh-trat-tu",
                                                              "hu-hong-mat-duong"}
        assert feature["properties"]["commune"]
