"""Getis–Ord Gi* (hotspots/gistar.py) on constructed layouts, checked three ways: the textbook
formula by hand, esda's G_Local (PySAL, a dev dependency) with weights libpysal builds itself,
and the expected classes of a cluster in one corner of a 9 × 9 grid."""
import math
import warnings

import numpy as np
import pytest
from esda.getisord import G_Local
from libpysal.weights import DistanceBand, lat2W

from hotspots.gistar import classify, gi_star
from hotspots.grid import Grid

SQUARES = Grid(shape="square", cell_m=1000, latitude=19.9)
HEXAGONS = Grid(shape="hex", cell_m=1000, latitude=19.9)
# where the 9 × 9 block sits in the grid (any place: only relative positions matter)
I0, J0 = 5400, 2200


def _block(size: int = 9):
    a, b = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
    return a.ravel(), b.ravel()


def _corner_cluster():
    """10 incidents in each cell of the 3 × 3 corner, none elsewhere."""
    a, b = _block()
    x = np.where((a < 3) & (b < 3), 10.0, 0.0)
    return a, b, x


def _esda(x, weights) -> G_Local:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return G_Local(x, weights, transform="B", star=True, permutations=0)


def test_a_cluster_in_one_corner_is_hot_at_99_and_far_cells_are_not_significant():
    a, b, x = _corner_cluster()
    result = gi_star(SQUARES, a + I0, b + J0, x)
    classes = result.classes.reshape(9, 9)
    assert (classes[:3, :3] == "hot_99").all()
    far = (a >= 4) | (b >= 4)
    assert set(result.classes[far]) == {"not_significant"}
    assert (result.z[far] < 0).all() and (result.p[far] > 0.1).all()
    # the corner cell itself: the strongest evidence is in the middle of the cluster
    assert result.z.reshape(9, 9)[1, 1] == result.z.max()


def test_values_equal_the_formula_computed_by_hand():
    a, b, x = _corner_cluster()
    result = gi_star(SQUARES, a + I0, b + J0, x)
    n = len(x)
    mean = sum(x) / n
    s = math.sqrt(sum(v * v for v in x) / n - mean * mean)
    for cell in range(n):
        neighbours = [k for k in range(n)
                      if abs(a[k] - a[cell]) <= 1 and abs(b[k] - b[cell]) <= 1]  # incl. itself
        w = len(neighbours)
        lag = sum(x[k] for k in neighbours)
        z = (lag - mean * w) / (s * math.sqrt((n * w - w * w) / (n - 1)))
        assert result.z[cell] == pytest.approx(z, abs=1e-12)
        assert result.p[cell] == pytest.approx(math.erfc(abs(z) / math.sqrt(2)), abs=1e-12)
    assert result.mean == pytest.approx(90 / 81) and result.std == pytest.approx(s)


def test_squares_equal_esda_with_queen_contiguity():
    a, b = _block()
    rng = np.random.default_rng(38)
    for x in (_corner_cluster()[2], rng.poisson(2.0, 81).astype(float),
              rng.poisson(0.3, 81) * 7.0):
        ours = gi_star(SQUARES, a + I0, b + J0, x)
        theirs = _esda(x, lat2W(9, 9, rook=False))  # id = row · 9 + column, as a · 9 + b
        np.testing.assert_allclose(ours.z, theirs.Zs, atol=1e-9)
        np.testing.assert_allclose(ours.p, 2 * theirs.p_norm, atol=1e-12)  # esda: one-sided


def test_hexagons_equal_esda_with_a_distance_band_on_their_centres():
    a, b = _block(11)
    i, j = a + I0, b + J0
    lon, lat = HEXAGONS.centres(i, j)
    kx, ky = HEXAGONS.metres
    band = DistanceBand(np.c_[lon * kx, lat * ky], threshold=1.5 * HEXAGONS.cell_m, binary=True,
                        silence_warnings=True)
    assert max(band.cardinalities.values()) == 6  # the 6 hexagons sharing an edge
    rng = np.random.default_rng(7)
    x = rng.poisson(1.0, len(a)).astype(float)
    x[(a > 6) & (b > 6)] += 9
    ours = gi_star(HEXAGONS, i, j, x)
    theirs = _esda(x, band)
    np.testing.assert_allclose(ours.z, theirs.Zs, atol=1e-9)
    np.testing.assert_allclose(ours.p, 2 * theirs.p_norm, atol=1e-12)
    assert "hot_99" in set(ours.classes[(a > 7) & (b > 7)])


def test_no_variation_means_nothing_stands_out():
    a, b = _block(3)
    for x in (np.zeros(9), np.full(9, 4.0)):
        result = gi_star(SQUARES, a, b, x)
        assert (result.z == 0).all() and (result.p == 1).all()
        assert set(result.classes) == {"not_significant"}
    single = gi_star(SQUARES, np.array([0]), np.array([0]), np.array([5.0]))
    assert single.classes.tolist() == ["not_significant"]


@pytest.mark.parametrize("z, expected", [
    (2.58, "hot_99"), (2.57, "hot_95"), (1.96, "hot_95"), (1.95, "hot_90"), (1.65, "hot_90"),
    (1.64, "not_significant"), (0.0, "not_significant"), (-1.65, "cold_90"),
    (-1.96, "cold_95"), (-2.58, "cold_99")])
def test_classes_follow_the_two_sided_confidence_levels(z, expected):
    p = np.array([math.erfc(abs(z) / math.sqrt(2))])
    assert classify(np.array([z]), p).tolist() == [expected]
