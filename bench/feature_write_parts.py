"""The feature table's INSERT taken apart: what each of its indexes, triggers and constraints
costs a bulk write, measured on the rows an import has just written (bench/ingest.py calls
`parts` after its import; ADR 0019 reads the figures).

Each variant copies the layer's rows back into `layers_feature` (new external ids, codes
already stamped, as an import writes them) in a transaction that is rolled back; inside it,
the variant first removes the parts before it plus one more (DROP INDEX / DROP CONSTRAINT /
DISABLE TRIGGER: all transactional, so nothing outlives the variant). Foreign keys are checked
IMMEDIATE, so their cost falls inside the timed statement instead of at commit. The table is
vacuumed between variants: the rolled-back rows would otherwise slow the next one down."""
import time
from collections.abc import Iterable

from django.db import connection, transaction
from psycopg2 import sql

from ioc_gis.dbflags import local_flag
from layers.stamping import units_stamped

SOURCE = "bench_feature_parts_source"

_SOURCE_SQL = """
DROP TABLE IF EXISTS {source};
CREATE TABLE {source} AS
SELECT layer_id, external_id || '~' AS external_id, geom, properties, observed_at,
       commune_code, commune_code_pre2025, district_code_pre2025
  FROM layers_feature WHERE layer_id = %s;
"""

_INSERT_SQL = """
INSERT INTO layers_feature (layer_id, external_id, geom, properties, observed_at, created_at,
                            updated_at, commune_code, commune_code_pre2025, district_code_pre2025)
SELECT layer_id, external_id, geom, properties, observed_at, now(), now(),
       commune_code, commune_code_pre2025, district_code_pre2025
  FROM {source}
"""

_CATALOG_SQL = {
    "constraints": "SELECT conname, contype FROM pg_constraint "
                   "WHERE conrelid = 'layers_feature'::regclass AND contype IN ('p', 'u', 'f')",
    "indexes": "SELECT c.relname, am.amname FROM pg_index i "
               "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam "
               "WHERE i.indrelid = 'layers_feature'::regclass "
               "AND NOT i.indisprimary AND NOT i.indisunique",
    "triggers": "SELECT tgname FROM pg_trigger WHERE tgrelid = 'layers_feature'::regclass "
                "AND NOT tgisinternal AND (tgtype & 4) = 4",  # fires on INSERT
}


def tiles_bulk():
    """As an import of this size writes (tiles.maintenance.bulk_writes, whose rebuild on exit
    is not part of the INSERT): the tile trigger is called and returns at once."""
    return local_flag("ioc.tiles_bulk")


def _catalog() -> dict[str, list]:
    with connection.cursor() as cursor:
        found = {}
        for name, query in _CATALOG_SQL.items():
            cursor.execute(query)
            found[name] = cursor.fetchall()
    return found


def _alter(action: str, name: str) -> sql.Composed:
    return sql.SQL("ALTER TABLE layers_feature {} {}").format(sql.SQL(action),
                                                              sql.Identifier(name))


def removals() -> list[tuple[str, list[sql.Composable]]]:
    """(what, the statements that remove it) for every part an INSERT pays for, read off the
    catalog so that a part added later is not silently left out of 'bare'."""
    found = _catalog()
    constraints = dict(found["constraints"])
    key = next(name for name, kind in constraints.items() if kind == "u")
    primary = next(name for name, kind in constraints.items() if kind == "p")
    foreign = [name for name, kind in constraints.items() if kind == "f"]
    gist = [name for name, method in found["indexes"] if method == "gist"]
    btrees = [name for name, method in found["indexes"] if method != "gist"]
    triggers = [row[0] for row in found["triggers"]]
    audit = [name for name in triggers if name.startswith("pgtrigger_")]
    kinds = [name for name in triggers if "kinds" in name]
    tiles = [name for name in triggers if name.startswith("tiles_")]
    others = [name for name in triggers if name not in audit + kinds + tiles]
    parts = [
        ("the GiST on (layer, geom_3857)",
         [sql.SQL("DROP INDEX {}").format(sql.Identifier(name)) for name in gist]),
        (f"{len(btrees)} lookup btrees (layer + commune x2, time)",
         [sql.SQL("DROP INDEX {}").format(sql.Identifier(name)) for name in btrees]),
        ("the (layer, external id) unique key", [_alter("DROP CONSTRAINT", key)]),
        # CASCADE: the observations' foreign keys hang on it (rolled back with the rest).
        ("the primary key", [sql.SQL("{} CASCADE").format(_alter("DROP CONSTRAINT", primary))]),
        ("the foreign key to the layer", [_alter("DROP CONSTRAINT", name) for name in foreign]),
        ("the tile-data notice (ADR 0007)", [_alter("DISABLE TRIGGER", name) for name in tiles]),
        ("the geometry-type check", [_alter("DISABLE TRIGGER", name) for name in kinds]),
        ("the audit copy (ADR 0006) and the transition table the statement triggers share",
         [_alter("DISABLE TRIGGER", name) for name in audit]),
    ]
    if others:  # the row trigger: not called under units_stamped, but counted if it fires
        parts.append(("other insert triggers", [_alter("DISABLE TRIGGER", name)
                                                for name in others]))
    return parts


def _insert_seconds(statements: Iterable[sql.Composable]) -> float:
    with transaction.atomic():
        with units_stamped(), tiles_bulk(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for statement in statements:
                cursor.execute(statement)
            begun = time.perf_counter()
            cursor.execute(sql.SQL(_INSERT_SQL).format(source=sql.Identifier(SOURCE)))
            seconds = time.perf_counter() - begun
        transaction.set_rollback(True)
    _vacuum("layers_feature")
    return seconds


def _vacuum(table: str, analyze: bool = False) -> None:
    """VACUUM [ANALYZE] the table, unless inside a transaction (a test's), where it cannot run."""
    if connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("VACUUM {}{}").format(sql.SQL("ANALYZE " if analyze else ""),
                                                     sql.Identifier(table)))


def parts(layer_id: int, repeats: int = 2) -> tuple[int, list[tuple[str, float]]]:
    """(rows, [(variant, best seconds of `repeats`)]): the INSERT as it is, then with the parts
    removed one more at a time, down to bare (the rows, their generated Web-Mercator copy, the
    CHECKs and the sequence remain). Cumulative, because the parts share costs: the statement
    triggers share one transition table, which is only saved when the last of them goes."""
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL(_SOURCE_SQL).format(source=sql.Identifier(SOURCE)), [layer_id])
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(SOURCE)))
        rows = cursor.fetchone()[0]
    _vacuum(SOURCE, analyze=True)
    try:
        removed: list[sql.Composable] = []
        measured = [("as it is", min(_insert_seconds(removed) for _ in range(repeats)))]
        for what, statements in removals():
            removed += statements
            measured.append((f"- {what}", min(_insert_seconds(removed) for _ in range(repeats))))
        return rows, measured
    finally:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(SOURCE)))
