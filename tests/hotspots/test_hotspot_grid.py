"""The hotspot grid (hotspots/grid.py): the database and numpy put a point in the same cell,
that cell is PostGIS's own hexagon or square around the point, the outline we draw is that
cell, and cells keep their nominal size across the province."""
import numpy as np
import pytest
from django.db import connection
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry import Polygon

from hotspots.grid import Grid

pytestmark = pytest.mark.django_db

GRIDS = [Grid(shape=shape, cell_m=cell, latitude=19.9)
         for shape in ("hex", "square") for cell in (1000, 2000, 7300)]


def _points(n: int = 400, seed: int = 38):
    rng = np.random.default_rng(seed)
    return rng.uniform(104.36, 106.07, n), rng.uniform(19.27, 20.64, n)


def _cells_in_sql(grid: Grid, lon, lat) -> tuple[np.ndarray, np.ndarray]:
    per_lon, per_lat = grid.units_per_degree
    source = ("SELECT lon * %s AS hs_u, lat * %s AS hs_v, k "
              "FROM unnest(%s::float8[], %s::float8[], %s::int[]) AS p(lon, lat, k)")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT k, i, j FROM ({grid.cell_query(source, ('k',))}) c ORDER BY k",
                       [per_lon, per_lat, lon.tolist(), lat.tolist(), list(range(len(lon)))])
        rows = cursor.fetchall()
    return np.array([r[1] for r in rows]), np.array([r[2] for r in rows])


def _postgis_cells(grid: Grid, lon, lat) -> list[tuple[int, int]]:
    """PostGIS's own cell around each point: ST_HexagonGrid / ST_SquareGrid over the point."""
    kx, ky = grid.metres
    function = "ST_HexagonGrid" if grid.shape == "hex" else "ST_SquareGrid"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.k, g.i, g.j FROM unnest(%s::float8[], %s::float8[], %s::int[]) "
            "AS p(lon, lat, k), "
            "LATERAL (SELECT ST_Scale(ST_MakePoint(p.lon, p.lat), %s, %s) AS m) s, "
            f"LATERAL {function}(%s, s.m) g WHERE ST_Intersects(g.geom, s.m) ORDER BY p.k",
            [lon.tolist(), lat.tolist(), list(range(len(lon))), kx, ky, grid.edge])
        return [(i, j) for _, i, j in cursor.fetchall()]


@pytest.mark.parametrize("grid", GRIDS, ids=lambda g: g.label)
def test_the_database_numpy_and_postgis_agree_on_a_points_cell(grid):
    lon, lat = _points()
    in_sql = _cells_in_sql(grid, lon, lat)
    in_numpy = grid.cells_of(lon, lat)
    np.testing.assert_array_equal(in_sql[0], in_numpy[0])
    np.testing.assert_array_equal(in_sql[1], in_numpy[1])
    assert _postgis_cells(grid, lon, lat) == list(zip(in_sql[0].tolist(), in_sql[1].tolist()))


@pytest.mark.parametrize("grid", GRIDS, ids=lambda g: g.label)
def test_the_outline_drawn_is_the_cell_that_holds_the_point(grid):
    lon, lat = _points(200, seed=7)
    i, j = grid.cells_of(lon, lat)
    rings = grid.rings(i, j)
    for ring, x, y in zip(rings, lon, lat):
        polygon = Polygon(ring)
        assert polygon.is_valid and polygon.exterior.is_ccw
        assert polygon.contains(ShapelyPoint(x, y))
    # … and it is PostGIS's cell polygon, scaled back to degrees
    kx, ky = grid.metres
    function = "ST_Hexagon" if grid.shape == "hex" else "ST_Square"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ST_AsText(ST_Scale({function}(%s, %s, %s), %s, %s))",
                       [grid.edge, int(i[0]), int(j[0]), 1 / kx, 1 / ky])
        theirs = Polygon(_ring_of(cursor.fetchone()[0]))
    assert Polygon(rings[0]).symmetric_difference(theirs).area < 1e-9 * theirs.area


def _ring_of(wkt: str) -> list[tuple[float, float]]:
    inner = wkt[wkt.index("((") + 2:wkt.index("))")]
    return [tuple(map(float, pair.split())) for pair in inner.split(",")]


@pytest.mark.parametrize("shape", ["hex", "square"])
@pytest.mark.parametrize("latitude", [19.3, 19.9, 20.7])
def test_cells_keep_their_nominal_size_across_the_province(shape, latitude):
    grid = Grid(shape=shape, cell_m=2000, latitude=19.9)
    i, j = grid.cells_of(np.array([105.5]), np.array([latitude]))
    ring = grid.rings(i, j)[0]
    polygon = "POLYGON((" + ",".join(f"{x} {y}" for x, y in ring) + "))"
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_Area(ST_GeogFromText(%s))", [polygon])
        area = cursor.fetchone()[0]
    nominal = 2000 ** 2 * (np.sqrt(3) / 2 if shape == "hex" else 1)
    assert area == pytest.approx(nominal, rel=0.01)
