"""The two database reads behind a hotspot map: incidents counted per cell (and per category and
commune inside each cell) in one statement over the scoped incidents, and the cells covering a
ground's outline (kept a while per process: outlines change a few times a year)."""
import threading
import time
from dataclasses import dataclass

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import F, FloatField, Func, QuerySet, Value

from incidents.models import Category
from layers.models import AdminUnit

from . import conf
from .gistar import cell_keys
from .grid import HEX, Grid

# A province-wide hash of ~40,000 (cell, category, commune) groups: with PostgreSQL's default
# 4 MB the planner expects to spill and may sort instead (bench/hotspots.py).
WORK_MEM = "32MB"


class _Degrees(Func):
    output_field = FloatField()


class _X(_Degrees):
    function = "ST_X"


class _Y(_Degrees):
    function = "ST_Y"


@dataclass(frozen=True)
class CellCounts:
    """Cells holding incidents (key order): (i, j), the count, and per cell the category code
    and the commune code (current generation) with the most incidents (ties: the smaller code)."""

    i: np.ndarray
    j: np.ndarray
    count: np.ndarray
    category: np.ndarray
    commune: np.ndarray


def cell_counts(*, incidents: QuerySet, grid: Grid) -> CellCounts:
    """Count `incidents` (a scoped queryset, unordered) per cell of `grid`, category and
    commune in one statement: the incidents' table is read once and each point turned into
    grid units once; the (cell, category, commune) groups — tens of thousands at most — are
    summed up per cell here."""
    per_lon, per_lat = grid.units_per_degree
    base = incidents.annotate(
        hs_u=_X(F("location")) * Value(per_lon, output_field=FloatField()),
        hs_v=_Y(F("location")) * Value(per_lat, output_field=FloatField()),
    ).values("hs_u", "hs_v", "category_id", "commune_code")
    try:
        inner, params = base.query.sql_with_params()
    except EmptyResultSet:  # a scope that is nothing (a caller without ground): no SQL at all
        return _per_cell([])
    celled = grid.cell_query(inner, ("category_id", "commune_code"))
    sql = (f"SELECT i, j, category_id, commune_code, count(*) FROM ({celled}) AS celled "
           "GROUP BY i, j, category_id, commune_code")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return _per_cell(rows)


def _per_cell(rows: list[tuple]) -> CellCounts:
    if not rows:
        empty = np.zeros(0, np.int64)
        return CellCounts(empty, empty, empty, np.zeros(0, str), np.zeros(0, str))
    i, j, category_id, commune, n = (np.array(column) for column in zip(*rows))
    cells, cell_of = np.unique(cell_keys(i, j), return_inverse=True)
    first = np.unique(cell_of, return_index=True)[1]
    codes = dict(Category.objects.values_list("id", "code"))
    category = np.array([codes[c] for c in category_id.tolist()])  # fixed-width text: fast sort
    return CellCounts(
        i=i[first].astype(np.int64), j=j[first].astype(np.int64),
        count=np.bincount(cell_of, weights=n).astype(np.int64),
        category=_most(cell_of, category, n), commune=_most(cell_of, commune.astype(str), n))


def _most(group: np.ndarray, value: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Per group (0…g−1), the value of the largest total weight; ties: the smallest value."""
    names, value_of = np.unique(value, return_inverse=True)  # sorted: rank = order of value
    pairs, pair_of = np.unique(group * len(names) + value_of, return_inverse=True)
    total = np.bincount(pair_of, weights=weight)
    pair_group, pair_value = pairs // len(names), pairs % len(names)
    order = np.lexsort((pair_value, -total, pair_group))
    leads = order[np.r_[True, pair_group[order][1:] != pair_group[order][:-1]]]
    return names[pair_value[leads]]


# ---- the study area: cells covering a ground ------------------------------------------------
_kept: dict[tuple, tuple[float, np.ndarray, np.ndarray]] = {}
_kept_lock = threading.Lock()


def ground_cells(*, units: list[int], grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """(i, j) of every cell of `grid` touching the outline of one of the units (ids)."""
    key = (grid, tuple(sorted(units)))
    now = time.monotonic()
    hit = _kept.get(key)
    if hit is not None and now - hit[0] < conf.get("IOC_HOTSPOTS_STUDY_AREA_SECONDS"):
        return hit[1], hit[2]
    i, j = _ground_cells_read(units=units, grid=grid)
    with _kept_lock:
        if len(_kept) > 256:
            _kept.clear()
        _kept[key] = (now, i, j)
    return i, j


def ground_cells_forget() -> None:
    """Read the outlines again at the next use (after units were loaded, in tests)."""
    with _kept_lock:
        _kept.clear()


def _ground_cells_read(*, units: list[int], grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    if not units:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    kx, ky = grid.metres
    function = "ST_HexagonGrid" if grid.shape == HEX else "ST_SquareGrid"  # allow-listed
    sql = (f"SELECT DISTINCT g.i, g.j FROM {AdminUnit._meta.db_table} u "
           "CROSS JOIN LATERAL (SELECT ST_Scale(u.geom, %s, %s) AS m) scaled "
           f"CROSS JOIN LATERAL {function}(%s, scaled.m) g "
           "WHERE u.id = ANY(%s) AND ST_Intersects(g.geom, scaled.m)")
    with connection.cursor() as cursor:
        cursor.execute(sql, [kx, ky, grid.edge, list(units)])
        rows = cursor.fetchall()
    return (np.array([r[0] for r in rows], np.int64), np.array([r[1] for r in rows], np.int64))


def study_area(*, ground: tuple[np.ndarray, np.ndarray],
               counts: CellCounts) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The cells the statistic runs over: the ground's cells and every cell holding an incident
    the caller sees (a point just outside an approximate outline still counts), in key order:
    (i, j, count — 0 for empty cells —, where each cell of `counts` is among them)."""
    i = np.concatenate([ground[0], counts.i])
    j = np.concatenate([ground[1], counts.j])
    keys, first = np.unique(cell_keys(i, j), return_index=True)
    at = np.searchsorted(keys, cell_keys(counts.i, counts.j))
    x = np.zeros(len(keys), np.int64)
    x[at] = counts.count
    return i[first], j[first], x, at
