"""Keeping derived tile data and the tile cache in step with the data (ADR 0007).

- `dirty_drain()` turns the boxes the triggers queued into exact cache invalidations: for each
  zoom of the layer, the tiles (with their buffer) that a changed geometry's old or new box
  touches. It runs after the commit of every write made through Django (signals below) and
  from `manage.py tiles_drain --follow` for writes made elsewhere.
- `bulk_writes()` lets a loader skip the per-statement trigger work and rebuild once."""
import contextlib
import logging
from collections import defaultdict

from django.db import connection, transaction

from layers.models import Layer, LayerSource

from .cache import tile_cache
from .grid import CELL_LEVELS_PER_TILE, DETAIL_MAX_ZOOM, HALF_WORLD, MAX_ZOOM, tile_range
from .sources import registry

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
    dropped = 0
    for z in _zoom_span(slug):
        ranges = {tile_range(box, z) for box in boxes}
        total = sum((x1 - x0 + 1) * (y1 - y0 + 1) for x0, y0, x1, y1 in ranges)
        if total > WIDE_RANGE:  # bulk change: one union box keeps the drain bounded
            ranges = {(min(r[0] for r in ranges), min(r[1] for r in ranges),
                       max(r[2] for r in ranges), max(r[3] for r in ranges))}
        for x0, y0, x1, y1 in ranges:
            dropped += cache.invalidate(slug, z, x0, y0, x1, y1)
    return dropped


def dirty_drain() -> int:
    """Invalidate the tiles of every queued box; returns how many boxes were handled."""
    handled = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("""
                DELETE FROM tiles_dirtyregion WHERE id IN (
                  SELECT id FROM tiles_dirtyregion ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED)
                RETURNING layer_id, min_x, min_y, max_x, max_y""", [DRAIN_BATCH])
            rows = cursor.fetchall()
            by_layer: dict[int | None, list] = defaultdict(list)
            for layer_id, *box in rows:
                by_layer[layer_id].append(tuple(box))
            # Inside the transaction: if invalidation fails, the boxes stay queued.
            for layer_id, boxes in by_layer.items():
                for slug in _targets(layer_id):
                    invalidate_boxes(slug, boxes)
        handled += len(rows)
        if len(rows) < DRAIN_BATCH:
            return handled


def drain_after_commit(**_) -> None:
    """Signal receiver: drain once the current transaction commits."""
    transaction.on_commit(_safe_drain)


def _safe_drain() -> None:
    try:
        dirty_drain()
    except Exception:  # the queue keeps the boxes; the follower drains them later
        log.exception("tile cache drain failed")


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


def rollup_rebuild(layer: Layer) -> int:
    """Recompute a layer's cluster counts from its features (after bulk loads or a change of
    the layer's aggregation settings); returns the number of cells."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM tiles_pointcell WHERE layer_id = %s", [layer.pk])
        cursor.execute("DELETE FROM tiles_pointcelltotal WHERE layer_id = %s", [layer.pk])
        if layer.aggregate_below_zoom is None:
            return 0
        cursor.execute(DETAIL_SQL, [layer.pk])
        cells = cursor.rowcount
        cursor.execute(TOTALS_SQL, [layer.pk])
        return cells + cursor.rowcount


def unit_shapes_rebuild() -> int:
    """Recompute every unit's simplified shapes and label point (the function the unit
    trigger calls, so the simplification has one definition)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT tiles_unit_shapes_refresh(ARRAY(SELECT id FROM layers_adminunit))")
        cursor.execute("SELECT count(*) FROM tiles_unitshape")
        return cursor.fetchone()[0]


def analyze() -> None:
    """Fresh planner statistics after bulk changes: with stale ones, PostgreSQL reads a whole
    layer's index entries for a tile of a few points."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE layers_feature, layers_adminunit, tiles_pointcell, "
                       "tiles_pointcelltotal, tiles_unitshape, tiles_unitlabel, "
                       "tiles_basemapfeature")


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
    if not connection.in_atomic_block:
        raise RuntimeError("bulk_writes() must run inside transaction.atomic()")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL ioc.tiles_bulk = 'on'")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL ioc.tiles_bulk = 'off'")
    for layer in layers:
        rollup_rebuild(layer)
        bump_version(layer)
    analyze()
    slugs = [layer.slug for layer in layers]
    transaction.on_commit(lambda: [tile_cache().clear_layer(slug) for slug in slugs])
