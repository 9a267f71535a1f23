"""Set-based stamping of unit codes, for bulk writers.

Every feature carries the codes of the commune it lies in today and of the commune and district
of 30 June 2025 (ADR 0002). The row trigger looks them up one feature at a time: three indexed
point-in-polygon queries, 87 µs a feature. A bulk writer instead looks the codes of a whole
staging table up with one spatial join per generation, where each unit polygon meets the staged
anchors through the anchors' index, so PostGIS prepares each polygon once (0.2 s a join for
100,000 points); it then writes the codes itself under `units_stamped()`, where the row trigger
is not called (layers/migrations/0008: one statement-level check keeps its geometry-type rule).

The rules are the trigger's (layers/migrations/0003 and 0006): the anchor is
ST_PointOnSurface(geom); a unit counts when it intersects the anchor; on a shared boundary the
lowest code wins; outside every unit the code is NULL. tests/layers/test_stamping.py holds the
two definitions equal."""
from django.db import connection

from ioc_gis.dbflags import local_flag

from .conf import PRE_REFORM_REFERENCE_DATE

# Tables a bulk writer may ask to stamp: constants of our own code, never request text.
STAMPABLE_TABLES = frozenset({"integration_stage", "layers_upsert_stage"})

# One spatial join per generation (each unit's polygon is the repeated argument, so PostGIS
# prepares it once); min(code) is the trigger's "lowest code on a shared boundary".
_STAMP_SQL = """
DROP TABLE IF EXISTS {codes};
CREATE TEMP TABLE {codes} ON COMMIT DROP AS
SELECT row_number, min(cur) AS commune_code, min(pre) AS commune_code_pre2025,
       min(dis) AS district_code_pre2025
  FROM (SELECT s.row_number, u.code AS cur, NULL AS pre, NULL AS dis
          FROM {table} s JOIN layers_adminunit u
            ON u.level = 'COMMUNE' AND u.valid_to IS NULL AND ST_Intersects(u.geom, s.anchor)
        UNION ALL
        SELECT s.row_number, NULL, u.code, NULL
          FROM {table} s JOIN layers_adminunit u
            ON u.level = 'COMMUNE' AND (u.valid_from IS NULL OR u.valid_from <= %(day)s)
           AND (u.valid_to IS NULL OR u.valid_to > %(day)s) AND ST_Intersects(u.geom, s.anchor)
        UNION ALL
        SELECT s.row_number, NULL, NULL, u.code
          FROM {table} s JOIN layers_adminunit u
            ON u.level = 'DISTRICT' AND (u.valid_from IS NULL OR u.valid_from <= %(day)s)
           AND (u.valid_to IS NULL OR u.valid_to > %(day)s) AND ST_Intersects(u.geom, s.anchor)
       ) AS found
 GROUP BY row_number;
ALTER TABLE {codes} ADD PRIMARY KEY (row_number);
ANALYZE {codes}
"""


def stamp_codes(table: str) -> str:
    """Look up the unit codes of every row of a staging table (`row_number` key, `anchor`
    point with a GiST index, fresh statistics) into a temporary table of its own: `row_number`,
    `commune_code`, `commune_code_pre2025`, `district_code_pre2025`, dropped on commit. Rows
    outside every unit are absent. The codes table's name."""
    if table not in STAMPABLE_TABLES:
        raise ValueError(f"{table!r} is not a stampable table")
    codes = f"{table}_codes"
    with connection.cursor() as cursor:
        cursor.execute(_STAMP_SQL.format(table=table, codes=codes),
                       {"day": PRE_REFORM_REFERENCE_DATE})
    return codes


def units_stamped():
    """Inside a transaction: feature writes keep the unit codes their statements carry (looked
    up by `stamp_codes`) instead of the row trigger looking each one up; geometry types are
    checked once per statement. Ends with the block."""
    return local_flag("ioc.units_stamped")
