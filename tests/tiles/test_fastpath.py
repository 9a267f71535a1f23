"""Cached public tiles answered before Django (ioc_gis/wsgi.py), like nginx does."""
import gzip
import io

import pytest
from django.contrib.auth.models import Group

from tests.tiles.helpers import CITY, SEA, tile_url
from tests.tiles.mvt_spec import assert_valid_tile
from tiles.fastpath import PublicTileFastPath

pytestmark = pytest.mark.django_db


def _call(url: str, **headers):
    calls = []

    def django(environ, start_response):
        calls.append(environ["PATH_INFO"])
        start_response("299 Django", [])
        return [b"django"]

    path, _, query = url.partition("?")
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
               "wsgi.input": io.BytesIO(), **headers}
    seen = {}

    def start_response(status, response_headers):
        seen["status"], seen["headers"] = status, dict(response_headers)

    body = b"".join(PublicTileFastPath(django)(environ, start_response))
    return seen["status"], seen["headers"], body, calls


def test_cached_public_tiles_skip_django_with_the_views_headers(client, file_cache):
    url = tile_url("schools", CITY, 12)
    rendered = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    status, headers, body, calls = _call(url, HTTP_ACCEPT_ENCODING="gzip")
    assert calls == [] and status == "200 OK"
    assert body == rendered.content and headers["ETag"] == rendered["ETag"]
    assert headers["Content-Encoding"] == "gzip" and headers["Vary"] == "Accept-Encoding"
    assert headers["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert headers["Cache-Control"].startswith("public")
    assert_valid_tile(gzip.decompress(body))
    status, headers, body, _ = _call(url)
    assert "Content-Encoding" not in headers and body == gzip.decompress(rendered.content)
    status, _, _, _ = _call(url, HTTP_ACCEPT_ENCODING="gzip",
                            HTTP_IF_NONE_MATCH=rendered["ETag"])
    assert status.startswith("304")


def test_empty_tiles_are_markers_answered_204(client, file_cache):
    url = tile_url("schools", SEA, 12)
    assert client.get(url).status_code == 204
    assert list(file_cache.rglob("public.empty")) and not [
        p for p in file_cache.rglob("*.mvt.gz") if p.stat().st_size == 0]
    status, _, body, calls = _call(url)
    assert status.startswith("204") and body == b"" and calls == []


@pytest.mark.parametrize("extra", [{"QUERY_STRING": "v=1"},
                                   {"HTTP_AUTHORIZATION": "Token abc.def"},
                                   {"REQUEST_METHOD": "POST"},
                                   {"PATH_INFO": "/tiles/schools/12/999999/1.pbf"}])
def test_anything_else_goes_to_django(client, file_cache, extra):
    url = tile_url("schools", CITY, 12)
    client.get(url)
    environ_url = url
    status, _, body, calls = _call(environ_url, **{k: v for k, v in extra.items()
                                                   if k != "PATH_INFO" and k != "QUERY_STRING"})
    if "QUERY_STRING" in extra:
        status, _, body, calls = _call(url + "?" + extra["QUERY_STRING"])
    if "PATH_INFO" in extra:
        status, _, body, calls = _call(extra["PATH_INFO"])
    assert calls and body == b"django"


def test_role_filtered_tiles_never_get_a_public_file(client, file_cache, django_user_model):
    leader = django_user_model.objects.create_user("leader", password="x")
    leader.groups.add(Group.objects.get(name="province_leader"))
    client.force_login(leader)
    assert client.get(tile_url("security-incidents", CITY, 12)).status_code == 200
    assert not list((file_cache / "security-incidents").rglob("public.*"))
    _, _, body, calls = _call(tile_url("security-incidents", CITY, 12))
    assert calls  # an anonymous request still goes through Django (which answers 404)
