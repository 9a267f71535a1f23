"""The write of an import, inside the caller's transaction: COPY every accepted row into a
temporary table, stamp its unit codes there in one spatial join per generation
(layers/stamping.py), drop the rows outside the uploader's ground and the rows already stored
exactly so, then update and insert the rest by external id in chunks (progress between
chunks). Unchanged rows are never rewritten, so no trigger or audit event fires for them."""
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection

from layers.stamping import stamp_codes, units_stamped

_STAGE_SQL = """
DROP TABLE IF EXISTS integration_stage;
CREATE TEMP TABLE integration_stage (
  row_number integer PRIMARY KEY, external_id text NOT NULL,
  geom geometry(Geometry, 4326) NOT NULL, properties jsonb NOT NULL, observed_at timestamptz,
  anchor geometry(Point, 4326) GENERATED ALWAYS AS (ST_PointOnSurface(geom)) STORED
) ON COMMIT DROP
"""
# The anchor is the trigger's; its index lets the stamping join meet each unit polygon once.
_ANCHOR_INDEX_SQL = "CREATE INDEX integration_stage_anchor ON integration_stage USING gist (anchor)"

# Stamped codes decide: the row lands on the ground, and the stored feature (if any) lies on it.
_OUTSIDE_SQL = """
WITH outside AS (
  SELECT s.row_number FROM integration_stage s
    LEFT JOIN integration_stage_codes c ON c.row_number = s.row_number
    LEFT JOIN layers_feature f ON f.layer_id = %(layer)s AND f.external_id = s.external_id
   WHERE NOT (coalesce(c.commune_code = ANY(%(cur)s), false)
              OR coalesce(c.commune_code_pre2025 = ANY(%(pre)s), false))
      OR (f.id IS NOT NULL AND NOT (coalesce(f.commune_code = ANY(%(cur)s), false)
                                    OR coalesce(f.commune_code_pre2025 = ANY(%(pre)s), false)))
)
DELETE FROM integration_stage s USING outside o WHERE s.row_number = o.row_number
RETURNING s.row_number
"""

_UNCHANGED_SQL = """
DELETE FROM integration_stage s USING layers_feature f
 WHERE f.layer_id = %(layer)s AND f.external_id = s.external_id AND f.geom = s.geom
   AND f.properties = s.properties AND f.observed_at IS NOT DISTINCT FROM s.observed_at
"""

# Which staged rows update which feature, decided once before the chunks: joining the growing
# layer per chunk was planned on its stale statistics (0 rows: a nested loop, 157 s for 100,000).
_MATCH_SQL = """
DROP TABLE IF EXISTS integration_stage_match;
CREATE TEMP TABLE integration_stage_match ON COMMIT DROP AS
SELECT s.row_number, f.id AS feature_id
  FROM integration_stage s
  LEFT JOIN layers_feature f ON f.layer_id = %(layer)s AND f.external_id = s.external_id;
ALTER TABLE integration_stage_match ADD PRIMARY KEY (row_number);
ANALYZE integration_stage_match
"""

_UPDATE_SQL = """
UPDATE layers_feature f
   SET geom = s.geom, properties = s.properties, observed_at = s.observed_at, updated_at = now(),
       commune_code = c.commune_code, commune_code_pre2025 = c.commune_code_pre2025,
       district_code_pre2025 = c.district_code_pre2025
  FROM integration_stage s
  JOIN integration_stage_match m ON m.row_number = s.row_number
  LEFT JOIN integration_stage_codes c ON c.row_number = s.row_number
 WHERE f.id = m.feature_id AND s.row_number >= %(lo)s AND s.row_number < %(hi)s
"""

_INSERT_SQL = """
INSERT INTO layers_feature (layer_id, external_id, geom, properties, observed_at, created_at,
                            updated_at, commune_code, commune_code_pre2025, district_code_pre2025)
SELECT %(layer)s, s.external_id, s.geom, s.properties, s.observed_at, now(), now(),
       c.commune_code, c.commune_code_pre2025, c.district_code_pre2025
  FROM integration_stage s
  JOIN integration_stage_match m ON m.row_number = s.row_number AND m.feature_id IS NULL
  LEFT JOIN integration_stage_codes c ON c.row_number = s.row_number
 WHERE s.row_number >= %(lo)s AND s.row_number < %(hi)s
"""


@dataclass
class WriteResult:
    """What the write did; `outside` lists the row numbers refused for the jurisdiction."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    outside: list[int] | None = None


def stage(rows: list[tuple[int, str, str, str, str]]) -> None:
    """COPY (row number, external id, hex EWKB, properties JSON, ISO time or "") rows."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.execute(_STAGE_SQL)
        cursor.copy_expert("COPY integration_stage (row_number, external_id, geom, properties, "
                           "observed_at) FROM STDIN WITH (FORMAT csv)", buffer)
        # Temporary tables are never auto-analysed: without statistics the chunked joins
        # below were planned as scans of the whole layer per chunk (7.7 s for 20,000 rows).
        # The joins' keys are enough (the stamping join keeps its plan); the geometry
        # columns' statistics cost 0.2 s per 100,000 rows.
        cursor.execute("ANALYZE integration_stage (row_number, external_id)")


def stamp() -> None:
    """Look up the unit codes of the rows still staged: see layers/stamping.py. The anchor
    index is built here, over those rows only (rows dropped as unchanged before would still be
    visited through an index built over all: 0.6 s for a re-import of 100,000 rows)."""
    with connection.cursor() as cursor:
        cursor.execute(_ANCHOR_INDEX_SQL)
    stamp_codes("integration_stage")


def outside_ground_drop(*, layer_id: int, cur_codes, pre_codes) -> list[int]:
    """Remove (and return) staged rows landing outside the ground, or whose stored feature
    lies outside it: nobody moves data into or out of someone else's area (ADR 0005)."""
    with connection.cursor() as cursor:
        cursor.execute(_OUTSIDE_SQL, {"layer": layer_id, "cur": sorted(cur_codes),
                                      "pre": sorted(pre_codes)})
        return sorted(row[0] for row in cursor.fetchall())


def unchanged_drop(*, layer_id: int) -> int:
    """Remove the staged rows already stored exactly so (geometry, properties, time)."""
    with connection.cursor() as cursor:
        cursor.execute(_UNCHANGED_SQL, {"layer": layer_id})
        return cursor.rowcount


def staged_count() -> int:
    """Rows left to write."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM integration_stage")
        return cursor.fetchone()[0]


def upsert(*, layer_id: int, last_row: int, chunk: int,
           progress: Callable[[int], None]) -> tuple[int, int]:
    """Update, then insert, the staged rows in row-number chunks; (inserted, updated)."""
    inserted = updated = 0
    with units_stamped(), connection.cursor() as cursor:
        cursor.execute(_MATCH_SQL, {"layer": layer_id})
        for lo in range(1, last_row + 1, chunk):
            params = {"layer": layer_id, "lo": lo, "hi": lo + chunk}
            cursor.execute(_UPDATE_SQL, params)
            updated += cursor.rowcount
            cursor.execute(_INSERT_SQL, params)
            inserted += cursor.rowcount
            progress(min(lo + chunk - 1, last_row))
        cursor.execute("DROP TABLE integration_stage, integration_stage_codes, "
                       "integration_stage_match")
    return inserted, updated


def layer_lock(layer_id: int) -> None:
    """One import per layer at a time (until the transaction ends)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('integration.layer'), %s)",
                       [layer_id])
