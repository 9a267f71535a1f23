"""The database keeps the tile server's derived data in step with every write, whoever makes it
(API, admin, connectors, psql): statement-level triggers with transition tables (ADR 0007).

On features: the layer's data version is bumped, the boxes of old and new geometries are queued
for cache invalidation, and cluster counts of dense point layers are adjusted by the delta.
On units: simplified shapes and label points are recomputed and their boxes queued.

A bulk loader may set `ioc.tiles_bulk = on` for its transaction and rebuild afterwards
(tiles/maintenance.py); everything here is then skipped for that transaction."""
from django.db import migrations

# Frozen here on purpose (tiles/grid.py holds the same values for Python).
HALF_WORLD = "20037508.342789244"
CELL_LEVELS_PER_TILE = 4
DETAIL_MAX_ZOOM = 9
UNIT_BANDS = (0, 4, 6, 8, 10, 12, 14)
EXTENT, SIMPLIFY_UNITS = 4096, 4


def _band_values() -> str:
    rows = []
    for band in UNIT_BANDS:
        tolerance = 2 * float(HALF_WORLD) / (1 << band) / EXTENT * SIMPLIFY_UNITS
        rows.append(f"({band}, {tolerance!r})")
    return ", ".join(rows)


def _cell(x: str, level: str) -> str:
    return f"floor(({x} + {HALF_WORLD}) / (2 * {HALF_WORLD} / (1::bigint << {level})))::int"


def _cell_y(y: str, level: str) -> str:
    return f"floor(({HALF_WORLD} - {y}) / (2 * {HALF_WORLD} / (1::bigint << {level})))::int"


def _changes(op: str) -> str:
    cols = "layer_id, geom_3857, observed_at, properties"
    if op == "INSERT":
        return f"SELECT {cols}, 1 AS sign FROM new_rows"
    if op == "DELETE":
        return f"SELECT {cols}, -1 AS sign FROM old_rows"
    return (f"SELECT {cols}, 1 AS sign FROM new_rows UNION ALL "
            f"SELECT {cols}, -1 AS sign FROM old_rows")


def _feature_statement(op: str) -> str:
    """One statement: version bump, dirty boxes and cluster deltas, from the changed rows."""
    return f"""
    WITH changes AS ({_changes(op)}),
    bumped AS (
      INSERT INTO tiles_layertilestate (layer_id, data_version, changed_at)
      SELECT DISTINCT layer_id, 1, now() FROM changes
      ON CONFLICT (layer_id) DO UPDATE
        SET data_version = tiles_layertilestate.data_version + 1, changed_at = now()
    ),
    dirty AS (
      INSERT INTO tiles_dirtyregion (layer_id, min_x, min_y, max_x, max_y, created_at)
      SELECT DISTINCT layer_id, ST_XMin(geom_3857), ST_YMin(geom_3857),
             ST_XMax(geom_3857), ST_YMax(geom_3857), now()
        FROM changes WHERE geom_3857 IS NOT NULL
    ),
    points AS (
      SELECT c.layer_id, ST_X(p.pt) AS x, ST_Y(p.pt) AS y,
             date_trunc('month', c.observed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS month,
             coalesce(c.properties ->> l.category_property, '') AS category,
             coalesce(c.properties ->> l.status_property, '') AS status,
             c.sign, l.min_zoom, l.aggregate_below_zoom
        FROM changes c
        JOIN layers_layer l ON l.id = c.layer_id AND l.aggregate_below_zoom IS NOT NULL
        CROSS JOIN LATERAL (SELECT ST_PointOnSurface(c.geom_3857) AS pt) p
    ),
    detail AS (
      INSERT INTO tiles_pointcell (layer_id, level, cx, cy, month, category, status, n, sx, sy)
      SELECT layer_id, lv, {_cell("x", "lv")}, {_cell_y("y", "lv")},
             month, category, status, sum(sign), sum(sign * x), sum(sign * y)
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
    SELECT layer_id, lv, {_cell("x", "lv")}, {_cell_y("y", "lv")},
           category, sum(sign), sum(sign * x), sum(sign * y)
      FROM points,
           generate_series(min_zoom + {CELL_LEVELS_PER_TILE},
                           aggregate_below_zoom - 1 + {CELL_LEVELS_PER_TILE}) AS lv
     GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (layer_id, level, cx, cy, category) DO UPDATE
      SET n = tiles_pointcelltotal.n + EXCLUDED.n, sx = tiles_pointcelltotal.sx + EXCLUDED.sx,
          sy = tiles_pointcelltotal.sy + EXCLUDED.sy;
    """


def _unit_statements(op: str) -> str:
    boxes = ("SELECT geom_3857 FROM new_rows" if op == "INSERT" else
             "SELECT geom_3857 FROM old_rows" if op == "DELETE" else
             "SELECT geom_3857 FROM new_rows UNION ALL SELECT geom_3857 FROM old_rows")
    common = f"""
    INSERT INTO tiles_dirtyregion (layer_id, min_x, min_y, max_x, max_y, created_at)
    SELECT DISTINCT NULL::bigint, ST_XMin(geom_3857), ST_YMin(geom_3857),
           ST_XMax(geom_3857), ST_YMax(geom_3857), now()
      FROM ({boxes}) b WHERE geom_3857 IS NOT NULL;
    INSERT INTO tiles_layertilestate (layer_id, data_version, changed_at)
    SELECT id, 1, now() FROM layers_layer WHERE source = 'ADMIN_UNITS'
    ON CONFLICT (layer_id) DO UPDATE
      SET data_version = tiles_layertilestate.data_version + 1, changed_at = now();
    """
    if op == "DELETE":
        return common
    return common + "    PERFORM tiles_unit_shapes_refresh(ARRAY(SELECT id FROM new_rows));\n"


UNIT_SHAPES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION tiles_unit_shapes_refresh(ids bigint[]) RETURNS void
LANGUAGE sql AS $fn$
  INSERT INTO tiles_unitshape (unit_id, band, geom)
  SELECT u.id, b.band, ST_Multi(ST_CollectionExtract(
           ST_MakeValid(ST_SimplifyPreserveTopology(u.geom_3857, b.tolerance)), 3))
    FROM layers_adminunit u CROSS JOIN (VALUES {_band_values()}) AS b (band, tolerance)
   WHERE u.id = ANY(ids)
  ON CONFLICT (unit_id, band) DO UPDATE SET geom = EXCLUDED.geom;
  INSERT INTO tiles_unitlabel (unit_id, point)
  SELECT id, (ST_MaximumInscribedCircle(geom_3857)).center FROM layers_adminunit
   WHERE id = ANY(ids)
  ON CONFLICT (unit_id) DO UPDATE SET point = EXCLUDED.point;
$fn$;
"""


def _function(name: str, body_by_op: dict[str, str]) -> str:
    branches = "\n".join(
        f"  {'IF' if i == 0 else 'ELSIF'} TG_OP = '{op}' THEN\n{body}"
        for i, (op, body) in enumerate(body_by_op.items()))
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF current_setting('ioc.tiles_bulk', true) = 'on' THEN
    RETURN NULL;
  END IF;
{branches}
  END IF;
  RETURN NULL;
END $fn$;
"""


def _triggers(table: str, prefix: str, function: str) -> str:
    return f"""
CREATE TRIGGER {prefix}_insert AFTER INSERT ON {table}
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER {prefix}_update AFTER UPDATE ON {table}
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER {prefix}_delete AFTER DELETE ON {table}
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}();
"""


OPS = ("INSERT", "UPDATE", "DELETE")
FORWARD = (
    UNIT_SHAPES_FUNCTION
    + _function("tiles_feature_changed", {op: _feature_statement(op) for op in OPS})
    + _triggers("layers_feature", "tiles_feature", "tiles_feature_changed")
    + _function("tiles_unit_changed", {op: _unit_statements(op) for op in OPS})
    + _triggers("layers_adminunit", "tiles_unit", "tiles_unit_changed")
)
BACKWARD = """
DROP TRIGGER IF EXISTS tiles_feature_insert ON layers_feature;
DROP TRIGGER IF EXISTS tiles_feature_update ON layers_feature;
DROP TRIGGER IF EXISTS tiles_feature_delete ON layers_feature;
DROP TRIGGER IF EXISTS tiles_unit_insert ON layers_adminunit;
DROP TRIGGER IF EXISTS tiles_unit_update ON layers_adminunit;
DROP TRIGGER IF EXISTS tiles_unit_delete ON layers_adminunit;
DROP FUNCTION IF EXISTS tiles_feature_changed();
DROP FUNCTION IF EXISTS tiles_unit_changed();
DROP FUNCTION IF EXISTS tiles_unit_shapes_refresh(bigint[]);
"""


class Migration(migrations.Migration):

    dependencies = [
        ("tiles", "0001_initial"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
