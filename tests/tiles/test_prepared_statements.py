"""Tile statements run as server-side prepared statements (tiles/prepared.py): the same features
as the plain statement for every kind of tile, one EXECUTE per tile once prepared, a session
that lost its statements, a text PostgreSQL cannot prepare, and the switch to turn it off."""
import threading

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from access.principal import FeatureScope
from ioc_gis.db.prepared import prepared_from_named
from tests.tiles.helpers import CITY, SAM_SON, statement_text, tile_content, tile_url
from tiles.filters import filters_parse
from tiles.grid import TileAddress, lonlat_to_tile
from tiles.prepared import fetch_tile_row
from tiles.queries import tile_statement
from tiles.services import effective_filters
from tiles.sources import registry

pytestmark = pytest.mark.django_db

TILES = [  # (source, place, zoom, query): clusters, points, polygons, units, basemap, filters
    ("traffic-accidents", CITY, 8, ""), ("traffic-accidents", CITY, 12, "since=2025-01-01"),
    ("traffic-accidents", (105.7115, 19.8146), 17, ""), ("schools", CITY, 12, ""),
    ("tourist-sites", SAM_SON, 9, ""), ("admin-boundaries", CITY, 9, "date=2024-06-01"),
    ("admin-boundaries", CITY, 11, ""), ("basemap", CITY, 9, ""),
]


def _statement(slug, place, z, query, scope=FeatureScope.EVERYTHING):
    source = registry.all()[slug]
    t = lonlat_to_tile(*place, z)
    filters = effective_filters(source, filters_parse(source, QueryDict(query)))
    return tile_statement(source, TileAddress(t.z, t.x, t.y), filters, scope)


def _content(mvt) -> dict:
    return tile_content(bytes(mvt))


def _plain(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


@pytest.mark.parametrize("slug, place, z, query", TILES)
def test_prepared_tiles_hold_what_the_plain_statements_hold(slug, place, z, query):
    sql, params = _statement(slug, place, z, query)
    plain = _plain(sql, params)
    assert plain[0] is not None and len(plain[0]) > 0, "pick a tile with data"
    for _ in range(7):  # past PostgreSQL's five custom plans: the generic plan answers too
        assert _content(fetch_tile_row(sql, params)[0]) == _content(plain[0])


def test_a_scoped_tile_is_the_same_prepared():
    from layers.models import AdminLevel, AdminUnit

    communes = AdminUnit.objects.filter(level=AdminLevel.COMMUNE, valid_to__isnull=True)
    scope = FeatureScope(cur_codes=tuple(communes.values_list("code", flat=True)[:40]))
    sql, params = _statement("traffic-accidents", CITY, 13, "", scope)
    expected = _content(_plain(sql, params)[0])
    assert expected
    for _ in range(7):
        assert _content(fetch_tile_row(sql, params)[0]) == expected


def test_after_the_first_tile_each_tile_is_one_execute(client, settings):
    settings.TILES_CACHE = "off"
    from tiles.cache import reset_tile_cache

    reset_tile_cache()
    url = tile_url("schools", CITY, 12)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) == 1
    name = prepared_from_named(_statement("schools", CITY, 12, "")[0], "tile")[0].name
    assert f"EXECUTE {name} (" in queries[0]["sql"]
    assert "ST_AsMVT" in statement_text(queries[0]["sql"])


def test_switched_off_the_statement_is_sent_as_it_is(client, settings):
    settings.TILES_CACHE, settings.TILES_PREPARED_STATEMENTS = "off", False
    from tiles.cache import reset_tile_cache

    reset_tile_cache()
    client.get(tile_url("schools", CITY, 11))  # the layer snapshot
    with CaptureQueriesContext(connection) as queries:
        assert client.get(tile_url("schools", CITY, 11)).status_code == 200
    assert len(queries) == 1 and queries[0]["sql"].lstrip().startswith("SELECT ST_AsMVT")


def test_a_session_that_lost_its_statements_prepares_them_again():
    """Outside a transaction (a server's autocommit session, here another thread's)."""
    sql, params = _statement("schools", CITY, 12, "")
    expected = bytes(_plain(sql, params)[0])
    got, errors = [], []

    def serve() -> None:
        try:
            got.append(bytes(fetch_tile_row(sql, params)[0]))
            with connection.cursor() as cursor:
                cursor.execute("DEALLOCATE ALL")  # what a pooler's DISCARD ALL does
            got.append(bytes(fetch_tile_row(sql, params)[0]))
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = %s",
                               [prepared_from_named(sql, "tile")[0].name])
                got.append(cursor.fetchone()[0])
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=serve)
    thread.start()
    thread.join(30)
    assert errors == [] and len(got) == 3 and got[2] == 1
    assert _content(got[0]) == _content(got[1]) == _content(expected)


def test_a_text_postgresql_cannot_prepare_runs_plain_and_the_transaction_goes_on():
    # `$1 IS NULL` gives PostgreSQL no type for $1: PREPARE fails, the plain statement does not.
    assert fetch_tile_row("SELECT %(v)s IS NULL", {"v": None}) == (True,)
    assert fetch_tile_row("SELECT %(v)s IS NULL", {"v": 1}) == (False,)
    assert fetch_tile_row("SELECT %(v)s::int + 1", {"v": 1}) == (2,)  # still usable
