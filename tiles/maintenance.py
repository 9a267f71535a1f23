"""Keeping derived tile data and the tile cache in step with the data (ADR 0007).

- `dirty_drain()` turns the boxes the triggers queued into exact cache invalidations: for each
  zoom of the layer, the tiles (with their buffer) that a changed geometry's old or new box
  touches; it bumps the data version of each layer it invalidated, and folds the queued point
  deltas into the cluster counts. It runs after the commit of every write made through Django
  (signals below; soon after, from a background thread, for citizens' reports: `drain_soon`)
  and from `manage.py tiles_drain --follow` for writes made elsewhere.
- `bulk_writes()` lets a loader skip the per-statement trigger work and rebuild once."""
import atexit
import contextlib
import logging
import os
import threading
from collections import defaultdict
from collections.abc import Callable

from django.db import close_old_connections, connection, transaction

from ioc_gis.dbflags import local_flag
from layers.models import Layer, LayerSource

from .cache import tile_cache
from .grid import CELL_LEVELS_PER_TILE, DETAIL_MAX_ZOOM, HALF_WORLD, MAX_ZOOM, tile_range
from .sources import registry
from .units import reset_unit_epochs

log = logging.getLogger(__name__)
DRAIN_BATCH = 5000
WIDE_RANGE = 4096  # tiles per (layer, zoom) above which a drain drops the union box instead


def _zoom_span(layer_slug: str) -> range:
    source = registry.all().get(layer_slug)
    if source is None:
        return range(0)
    return range(source.min_zoom, min(source.max_zoom, MAX_ZOOM) + 1)


def _targets(layer_id: int | None) -> list[str]:
    """Slugs a dirty box applies to: its layer, or every ADMIN_UNITS layer for units."""
    if layer_id is not None:
        slug = Layer.objects.filter(pk=layer_id).values_list("slug", flat=True).first()
        return [slug] if slug else []
    return list(Layer.objects.filter(source=LayerSource.ADMIN_UNITS)
                .values_list("slug", flat=True))


def invalidate_boxes(slug: str, boxes: list[tuple[float, float, float, float]]) -> int:
    """Drop every cached tile of `slug`, at every zoom, whose buffered area meets a box."""
    cache = tile_cache()
    cache.bump(slug)  # renders that started before this point must not be stored
    by_zoom = {}
    for z in _zoom_span(slug):
        ranges = {tile_range(box, z) for box in boxes}
        total = sum((x1 - x0 + 1) * (y1 - y0 + 1) for x0, y0, x1, y1 in ranges)
        if total > WIDE_RANGE:  # bulk change: one union box keeps the drain bounded
            ranges = {(min(r[0] for r in ranges), min(r[1] for r in ranges),
                       max(r[2] for r in ranges), max(r[3] for r in ranges))}
        by_zoom[z] = ranges
    return cache.invalidate_ranges(slug, by_zoom)


def dirty_drain() -> int:
    """Invalidate the tiles of every queued box, bump the versions of their layers, fold the
    point deltas; returns how many boxes were handled."""
    deltas_fold()
    handled = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("""
                DELETE FROM tiles_dirtyregion WHERE id IN (
                  SELECT id FROM tiles_dirtyregion ORDER BY id LIMIT %s FOR UPDATE)
                RETURNING layer_id, min_x, min_y, max_x, max_y""", [DRAIN_BATCH])
            # Not SKIP LOCKED: boxes another drain holds are waited for, so when this returns
            # every change committed before it is invalidated (and its version bumped).
            rows = cursor.fetchall()
            by_layer: dict[int | None, list] = defaultdict(list)
            for layer_id, *box in rows:
                by_layer[layer_id].append(tuple(box))
            # One bump per layer and batch (units bump in their own trigger): the version an
            # event carries is read after this commit, so a map that refetches at that
            # version gets tiles already invalidated for every change before it.
            versions_bump(sorted(k for k in by_layer if k is not None))
            if None in by_layer:  # units changed: this process sees new epochs at once
                reset_unit_epochs()
            # Inside the transaction: if invalidation fails, the boxes stay queued.
            for layer_id, boxes in by_layer.items():
                for slug in _targets(layer_id):
                    invalidate_boxes(slug, boxes)
        handled += len(rows)
        if len(rows) < DRAIN_BATCH:
            return handled


def versions_bump(layer_ids: list[int]) -> None:
    """Add one to the data version of each layer (the TileJSON version, the events' data
    version): changed by drains only, so writers never wait on these rows."""
    if not layer_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO tiles_layertilestate (layer_id, data_version, changed_at)
            SELECT id, 1, now() FROM unnest(%s::bigint[]) AS id
            ON CONFLICT (layer_id) DO UPDATE
            SET data_version = tiles_layertilestate.data_version + 1, changed_at = now()""",
                       [layer_ids])


def deltas_fold() -> int:
    """Move the queued point deltas into the cluster counts, in one statement (readers see
    the change either as deltas or as counts, never both). One folder at a time: another
    drain already folding will take these deltas too, or the next one will."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [FOLD_LOCK])
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute(FOLD_SQL)
        return cursor.rowcount


def drain_after_commit(**_) -> None:
    """Signal receiver: drain once the current transaction commits."""
    transaction.on_commit(_safe_drain)


def _safe_drain() -> None:
    try:
        dirty_drain()
    except Exception:  # the queue keeps the boxes; the follower drains them later
        log.exception("tile cache drain failed")


class BackgroundDrainer:
    """One thread per process that drains soon after commits, then hands what waited for that
    drain to its callbacks (publishing live events: a map that refetches on an event finds its
    tiles already invalidated). Under load one drain and one callback call serve many commits;
    the committing request waits for neither. A process waits for queued work when it exits
    normally (up to 5 s); work lost anyway (a killed process) leaves its boxes queued for the
    next drain (`tiles_drain --follow` in production)."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._pending: list[tuple[Callable[[list], None], object]] = []
        self._busy = False
        self._pid = 0

    def then(self, callback: Callable[[list], None], item: object) -> None:
        """Drain soon, then call `callback(items)` once with every item queued for it since the
        previous drain, in order (in the drainer's thread)."""
        with self._lock:
            self._started()
            self._pending.append((callback, item))
            self._lock.notify()

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued so far has run; False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._pending and not self._busy, timeout)

    def _started(self) -> None:
        if self._pid != os.getpid():  # new, or a forked child
            self._pending, self._busy, self._pid = [], False, os.getpid()
            threading.Thread(target=self._run, name="ioc-tiles-drainer", daemon=True).start()
            atexit.register(self.flush)

    def _run(self) -> None:
        while True:
            with self._lock:
                self._lock.wait_for(lambda: self._pending)
                batch, self._pending, self._busy = self._pending, [], True
            try:
                _safe_drain()
                items_of: dict[Callable[[list], None], list] = {}
                for callback, item in batch:
                    items_of.setdefault(callback, []).append(item)
                for callback, items in items_of.items():
                    try:
                        callback(items)
                    except Exception:
                        log.exception("callback after tile drain failed")
            finally:
                close_old_connections()
                with self._lock:
                    self._busy = False
                    self._lock.notify_all()


drainer = BackgroundDrainer()


def _cell(axis: str) -> str:
    if axis == "x":
        return f"floor((x + {HALF_WORLD}) / (2 * {HALF_WORLD} / (1::bigint << lv)))::int"
    return f"floor(({HALF_WORLD} - y) / (2 * {HALF_WORLD} / (1::bigint << lv)))::int"


_POINTS = """
  SELECT f.layer_id, ST_X(p.pt) AS x, ST_Y(p.pt) AS y,
         date_trunc('month', f.observed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS month,
         coalesce(f.properties ->> l.category_property, '') AS category,
         coalesce(f.properties ->> l.status_property, '') AS status,
         l.min_zoom, l.aggregate_below_zoom
    FROM layers_feature f JOIN layers_layer l ON l.id = f.layer_id
    CROSS JOIN LATERAL (SELECT ST_PointOnSurface(f.geom_3857) AS pt) p
   WHERE l.id = %s"""

DETAIL_SQL = f"""
INSERT INTO tiles_pointcell (layer_id, level, cx, cy, month, category, status, n, sx, sy)
SELECT layer_id, lv, {_cell("x")}, {_cell("y")}, month, category, status,
       count(*), sum(x), sum(y)
  FROM ({_POINTS}) pts,
       generate_series(min_zoom + {CELL_LEVELS_PER_TILE},
                       least(aggregate_below_zoom - 1, {DETAIL_MAX_ZOOM})
                       + {CELL_LEVELS_PER_TILE}) AS lv
 GROUP BY 1, 2, 3, 4, 5, 6, 7"""

TOTALS_SQL = f"""
INSERT INTO tiles_pointcelltotal (layer_id, level, cx, cy, category, n, sx, sy)
SELECT layer_id, lv, {_cell("x")}, {_cell("y")}, category, count(*), sum(x), sum(y)
  FROM ({_POINTS}) pts,
       generate_series(min_zoom + {CELL_LEVELS_PER_TILE},
                       aggregate_below_zoom - 1 + {CELL_LEVELS_PER_TILE}) AS lv
 GROUP BY 1, 2, 3, 4, 5"""


_MOVED = """
  SELECT m.layer_id, m.x, m.y, m.month, m.day, m.category, m.status, m.sign, m.commune_code,
         m.commune_code_pre2025, m.district_code_pre2025, l.min_zoom, l.aggregate_below_zoom
    FROM moved m JOIN layers_layer l ON l.id = m.layer_id
   WHERE l.aggregate_below_zoom IS NOT NULL"""

# A feature counts in the unit of each kind it was stamped into (current commune, pre-reform
# commune, pre-reform district).
_UNIT_KINDS = """CROSS JOIN LATERAL (VALUES ('c', {0}commune_code), ('p', {0}commune_code_pre2025),
                             ('d', {0}district_code_pre2025)) AS k (kind, code)"""

FOLD_SQL = f"""
WITH moved AS (
  DELETE FROM tiles_pointdelta RETURNING layer_id, x, y, month, day, category, status, sign,
                                         commune_code, commune_code_pre2025,
                                         district_code_pre2025
),
points AS ({_MOVED}),
units AS (
  INSERT INTO tiles_unitmonthcount (layer_id, kind, code, month, n)
  SELECT layer_id, k.kind, k.code, month, sum(sign)
    FROM points {_UNIT_KINDS.format("points.")}
   WHERE k.code <> ''
   GROUP BY 1, 2, 3, 4
  ON CONFLICT (layer_id, kind, code, month) DO UPDATE
    SET n = tiles_unitmonthcount.n + EXCLUDED.n
),
unit_days AS (
  INSERT INTO tiles_unitdaycount (layer_id, kind, code, day, n)
  SELECT layer_id, k.kind, k.code, day, sum(sign)
    FROM points {_UNIT_KINDS.format("points.")}
   WHERE k.code <> '' AND day IS NOT NULL
   GROUP BY 1, 2, 3, 4
  ON CONFLICT (layer_id, kind, code, day) DO UPDATE
    SET n = tiles_unitdaycount.n + EXCLUDED.n
),
detail AS (
  INSERT INTO tiles_pointcell (layer_id, level, cx, cy, month, category, status, n, sx, sy)
  SELECT layer_id, lv, {_cell("x")}, {_cell("y")}, month, category, status,
         sum(sign), sum(sign * x), sum(sign * y)
    FROM points,
         generate_series(min_zoom + {CELL_LEVELS_PER_TILE},
                         least(aggregate_below_zoom - 1, {DETAIL_MAX_ZOOM})
                         + {CELL_LEVELS_PER_TILE}) AS lv
   GROUP BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (layer_id, level, cx, cy, month, category, status) DO UPDATE
    SET n = tiles_pointcell.n + EXCLUDED.n, sx = tiles_pointcell.sx + EXCLUDED.sx,
        sy = tiles_pointcell.sy + EXCLUDED.sy
)
INSERT INTO tiles_pointcelltotal (layer_id, level, cx, cy, category, n, sx, sy)
SELECT layer_id, lv, {_cell("x")}, {_cell("y")}, category, sum(sign), sum(sign * x),
       sum(sign * y)
  FROM points,
       generate_series(min_zoom + {CELL_LEVELS_PER_TILE},
                       aggregate_below_zoom - 1 + {CELL_LEVELS_PER_TILE}) AS lv
 GROUP BY 1, 2, 3, 4, 5
ON CONFLICT (layer_id, level, cx, cy, category) DO UPDATE
  SET n = tiles_pointcelltotal.n + EXCLUDED.n, sx = tiles_pointcelltotal.sx + EXCLUDED.sx,
      sy = tiles_pointcelltotal.sy + EXCLUDED.sy"""
FOLD_LOCK = 0x7469_6C65  # pg advisory lock key of the fold ("tile")


UNITS_SQL = f"""
INSERT INTO tiles_unitmonthcount (layer_id, kind, code, month, n)
SELECT f.layer_id, k.kind, k.code,
       date_trunc('month', f.observed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, count(*)
  FROM layers_feature f {_UNIT_KINDS.format("f.")}
 WHERE f.layer_id = %s AND coalesce(k.code, '') <> ''
 GROUP BY 1, 2, 3, 4"""

UNIT_DAYS_SQL = f"""
INSERT INTO tiles_unitdaycount (layer_id, kind, code, day, n)
SELECT f.layer_id, k.kind, k.code, (f.observed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date,
       count(*)
  FROM layers_feature f {_UNIT_KINDS.format("f.")}
 WHERE f.layer_id = %s AND coalesce(k.code, '') <> '' AND f.observed_at IS NOT NULL
 GROUP BY 1, 2, 3, 4"""


def rollup_rebuild(layer: Layer) -> int:
    """Recompute a layer's cluster counts from its features (after bulk loads or a change of
    the layer's aggregation settings); returns the number of cells."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM tiles_pointcell WHERE layer_id = %s", [layer.pk])
        cursor.execute("DELETE FROM tiles_pointcelltotal WHERE layer_id = %s", [layer.pk])
        cursor.execute("DELETE FROM tiles_unitmonthcount WHERE layer_id = %s", [layer.pk])
        cursor.execute("DELETE FROM tiles_unitdaycount WHERE layer_id = %s", [layer.pk])
        # Counted from the features below: pending deltas of the layer would count twice.
        cursor.execute("DELETE FROM tiles_pointdelta WHERE layer_id = %s", [layer.pk])
        if layer.aggregate_below_zoom is None:
            return 0
        cursor.execute(DETAIL_SQL, [layer.pk])
        cells = cursor.rowcount
        cursor.execute(TOTALS_SQL, [layer.pk])
        cells += cursor.rowcount
        cursor.execute(UNITS_SQL, [layer.pk])
        cells += cursor.rowcount
        cursor.execute(UNIT_DAYS_SQL, [layer.pk])
        return cells + cursor.rowcount


def unit_shapes_rebuild() -> int:
    """Recompute every unit's simplified shapes and label point (the function the unit
    trigger calls, so the simplification has one definition)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT tiles_unit_shapes_refresh(ARRAY(SELECT id FROM layers_adminunit))")
        cursor.execute("SELECT count(*) FROM tiles_unitshape")
        return cursor.fetchone()[0]


# The tables a feature write changes (directly or through the rollups), and the rest of what
# tiles read (changed by unit and basemap loads).
FEATURE_TABLES = ("layers_feature", "tiles_pointcell", "tiles_pointcelltotal",
                  "tiles_unitmonthcount", "tiles_unitdaycount")
TILE_TABLES = FEATURE_TABLES + ("layers_adminunit", "tiles_unitshape", "tiles_unitlabel",
                                "tiles_basemapfeature")


def analyze(tables: tuple[str, ...] = TILE_TABLES) -> None:
    """Fresh planner statistics after bulk changes: with stale ones, PostgreSQL reads a whole
    layer's index entries for a tile of a few points. `tables`: constants of this module."""
    if not set(tables) <= set(TILE_TABLES):
        raise ValueError(f"not tile tables: {sorted(set(tables) - set(TILE_TABLES))}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(tables))


def bump_version(layer: Layer) -> None:
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO tiles_layertilestate (layer_id, data_version, changed_at)
            VALUES (%s, 1, now()) ON CONFLICT (layer_id) DO UPDATE
            SET data_version = tiles_layertilestate.data_version + 1, changed_at = now()""",
                       [layer.pk])


@contextlib.contextmanager
def bulk_writes(layers: list[Layer]):
    """Inside a transaction: writes to these layers' features skip the tile triggers; on exit
    the cluster counts are rebuilt, versions bumped, and the layers' caches cleared on commit."""
    with local_flag("ioc.tiles_bulk"):
        yield
    for layer in layers:
        rollup_rebuild(layer)
        bump_version(layer)
    analyze(FEATURE_TABLES)  # units and basemap are not changed by feature writes
    slugs = [layer.slug for layer in layers]
    transaction.on_commit(lambda: [tile_cache().clear_layer(slug) for slug in slugs])
