"""Tile statements as server-side prepared statements (ADR 0010, ioc_gis/db/prepared.py).

A tile's statement is small work for PostgreSQL at most zooms, and parsing and planning it cost
as much as running it: over bench/tiles.py's list on the scale data, p50 0.81 ms a tile sent as
it is against 0.33 ms prepared. The builders (tiles/queries.py) make few distinct texts — one
per source, zoom band and filter combination — so each is PREPAREd once per database session
and every tile after that is one EXECUTE. A text PostgreSQL cannot prepare is sent as it is
from then on. A generic plan may return rows in another order than a custom plan did: the same
tile then has other bytes (and ETag), never other features. Behind PgBouncer in transaction
pooling, set TILES_PREPARED_STATEMENTS=off."""
import logging

from django.conf import settings
from django.db import connection

from ioc_gis.db.prepared import NotPreparable, prepared_from_named

logger = logging.getLogger(__name__)
_unpreparable: set[str] = set()  # names of texts PostgreSQL refused to prepare


def fetch_tile_row(sql: str, params: dict):
    """Run a tile statement (named %(x)s placeholders) and return its one row."""
    with connection.cursor() as cursor:
        if settings.TILES_PREPARED_STATEMENTS:
            statement, order = prepared_from_named(sql, "tile")
            if statement.name not in _unpreparable:
                try:
                    statement.execute(cursor, [params[name] for name in order])
                    return cursor.fetchone()
                except NotPreparable as error:
                    _unpreparable.add(statement.name)
                    logger.warning("tile statement runs unprepared: %s", error)
        cursor.execute(sql, params)
        return cursor.fetchone()
