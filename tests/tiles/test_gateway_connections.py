"""The tile gateway's database connections (tiles/gateway.py): no health-check round trip before
each tile, yet a connection that died between tiles costs no request an error — in process, and
across a real granian process whose database sessions are terminated under it."""
import urllib.request

import pytest
from django.core.signals import request_finished, request_started
from django.db import connection

from tests.live.servers import database_url, http_server, running, server_env
from tests.tiles.helpers import CITY, tile_content, tile_url
from tiles.gateway import TileGateway

pytestmark = pytest.mark.django_db


def _gateway_get(url: str) -> tuple[str, list[str]]:
    """(status, paths Django was asked for) of the gateway answering GET url in process."""
    calls, seen = [], {}

    def django(environ, start_response):
        calls.append(environ["PATH_INFO"])
        start_response("299 Django", [])
        return [b"django"]

    def start_response(status, headers):
        seen["status"] = status

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": url, "QUERY_STRING": "",
               "wsgi.url_scheme": "http", "HTTP_ACCEPT_ENCODING": "gzip"}
    b"".join(TileGateway(django)(environ, start_response))
    return seen["status"], calls


def test_a_tile_neither_starts_nor_finishes_a_django_request(settings):
    """Each of those signals re-arms Django's health check: a SELECT 1 before the next tile."""
    from tiles.cache import reset_tile_cache

    settings.TILES_CACHE = "off"
    reset_tile_cache()
    signalled = []

    def note(sender, **kwargs):
        signalled.append(sender)

    request_started.connect(note)
    request_finished.connect(note)
    try:
        connection.ensure_connection()
        connection.health_check_done = True
        status, calls = _gateway_get(tile_url("schools", CITY, 12))
    finally:
        request_started.disconnect(note)
        request_finished.disconnect(note)
    assert status == "200 OK" and calls == []
    assert signalled == [] and connection.health_check_done


TERMINATE_TILE_SESSIONS = """
    SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid()
       AND backend_type = 'client backend'
       AND (query LIKE '%%ST_AsMVT%%' OR query LIKE 'EXECUTE tile_%%')"""


def _get(url: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=20) as answer:
        return answer.status, answer.read()


@pytest.mark.slow
def test_tiles_survive_their_database_sessions_being_terminated(django_db_blocker, redis_url):
    with django_db_blocker.unblock():
        env = server_env(database=database_url(connection.settings_dict), redis_url=redis_url,
                         prefix="gateway-connections")
    server = http_server("gateway-connections", env)  # one process of 4 threads
    url = server.url + tile_url("schools", CITY, 12)
    with running(server):
        first = [_get(url) for _ in range(12)]  # every thread has its session by now
        assert {status for status, _ in first} == {200}
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(TERMINATE_TILE_SESSIONS)
            terminated = cursor.fetchone()[0]
        assert terminated >= 1
        after = [_get(url) for _ in range(12)]
        # The same tile, no error, whichever thread answered (its bytes may differ: the
        # features' order follows the plan, tiles/prepared.py).
        assert {status for status, _ in after} == {200}
        assert all(tile_content(body) == tile_content(first[0][1]) for _, body in after)
        assert server.proc.poll() is None
