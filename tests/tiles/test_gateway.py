"""The tile gateway (tiles/gateway.py): tiles for anonymous callers and API tokens answered
before Django's middleware chain, byte for byte and header for header what Django answers;
everything else handed to Django."""
import gzip
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from access.services import api_token_create
from tests.tiles.helpers import CITY, SAM_SON, SEA, statement_text, tile_url
from tests.tiles.mvt_spec import assert_valid_tile
from tiles.gateway import TileGateway

pytestmark = pytest.mark.django_db

# Headers our middleware adds that the gateway need not repeat on a tile: the language of a
# body that has none, CSP for a document that is not one, and the session's Vary.
# Vary is compared on its own: Django's stack adds Accept-Language and Cookie, which tiles do not
# depend on; Allow is DRF's list of methods.
NOT_FOR_TILES = {"content-language", "content-security-policy", "cross-origin-resource-policy",
                 "vary", "allow"}


def _call(url: str, **headers):
    """(status, headers, body, paths Django was asked for) of the gateway."""
    calls = []

    def django(environ, start_response):
        calls.append(environ["PATH_INFO"])
        start_response("299 Django", [])
        return [b"django"]

    path, _, query = url.partition("?")
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
               "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http", **headers}
    seen = {}

    def start_response(status, response_headers):
        seen["status"], seen["headers"] = status, dict(response_headers)

    # As Django's test client does: the test's transaction must outlive the "request".
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = b"".join(TileGateway(django)(environ, start_response))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return seen["status"], seen["headers"], body, calls


def _token(django_user_model, role="province_leader", scopes=("layers:read",), units=()):
    user = django_user_model.objects.create_user(f"gw-{role}-{len(scopes)}", password="x")
    user.groups.add(Group.objects.get(name=role))
    token, key = api_token_create(name="gateway test", user=user, scopes=list(scopes),
                                  expires_at=timezone.now() + timedelta(hours=1), units=units)
    return token, f"Token {key}"


def _same_as_django(client, url, **headers):
    """The gateway's answer equals Django's for the same request (status, body, headers)."""
    status, got, body, calls = _call(url, **headers)
    assert calls == [], f"{url} went to Django"
    django = client.get(url, **headers)
    assert int(status.split()[0]) == django.status_code
    assert body == django.content
    expected = {k.lower(): v for k, v in django.items()
                if k.lower() not in NOT_FOR_TILES and not (
                    k.lower() in ("content-type", "content-length") and django.status_code != 200)}
    got = {k.lower(): v for k, v in got.items()}
    assert {k: got.get(k) for k in expected} == expected
    vary = {token.strip() for token in got["vary"].split(",")}
    assert "Accept-Encoding" in vary and vary <= {t.strip() for t in django["Vary"].split(",")}
    return status, got, body


def test_uncached_public_tiles_render_in_the_gateway_with_one_query(settings, monkeypatch):
    from tiles.cache import reset_tile_cache

    monkeypatch.setattr("tiles.sources.SNAPSHOT_SECONDS", 3600.0)  # no refresh mid-test
    settings.TILES_CACHE = "off"
    reset_tile_cache()
    url = tile_url("schools", CITY, 12)
    _call(url)  # warm the layer snapshot
    with CaptureQueriesContext(connection) as queries:
        status, headers, body, calls = _call(url, HTTP_ACCEPT_ENCODING="gzip")
    assert calls == [] and status == "200 OK"
    assert len(queries) == 1 and "ST_AsMVT" in statement_text(queries[0]["sql"])
    assert headers["Content-Encoding"] == "gzip" and headers["Vary"] == "Accept-Encoding"
    assert headers["Cache-Control"] == "public, no-cache"
    assert headers["Content-Length"] == str(len(body))
    assert_valid_tile(gzip.decompress(body))


@pytest.mark.parametrize("headers", [{"HTTP_ACCEPT_ENCODING": "gzip"}, {},
                                     {"HTTP_ACCEPT_ENCODING": "gzip;q=0, identity"}])
def test_public_answers_equal_djangos(client, file_cache, headers):
    url = tile_url("schools", CITY, 12)
    _same_as_django(client, url, **headers)  # the gateway renders and caches
    _, got, _ = _same_as_django(client, url, **headers)  # both answer from the cache
    status, _, body, calls = _call(url, HTTP_IF_NONE_MATCH=got["etag"], **headers)
    assert status.startswith("304") and body == b"" and calls == []


def test_cached_tiles_need_no_query(client, file_cache):
    url = tile_url("schools", CITY, 12)
    _call(url)
    with CaptureQueriesContext(connection) as queries:
        status, _, _, calls = _call(url)
    assert status == "200 OK" and calls == [] and len(queries) == 0


def test_empty_tiles_answer_204(client, file_cache):
    _same_as_django(client, tile_url("schools", SEA, 12))
    status, _, body, calls = _call(tile_url("schools", SEA, 12))
    assert status.startswith("204") and body == b"" and calls == []


def test_filtered_and_dated_tiles_go_through_the_gateway(client, django_user_model):
    _, auth = _token(django_user_model)
    for url in (tile_url("admin-boundaries", CITY, 9, "date=2025-01-01"),
                tile_url("security-incidents", CITY, 10, "status=da_xu_ly&category=theft,assault"),
                tile_url("traffic-accidents", CITY, 12, "since=2024-01-01")):
        _same_as_django(client, url, HTTP_ACCEPT_ENCODING="gzip", HTTP_AUTHORIZATION=auth)


def test_tokens_see_their_scope_like_through_django(client, django_user_model):
    from django.contrib.gis.geos import Point

    from layers import selectors

    ward = selectors.unit_containing(point=Point(*SAM_SON, srid=4326),
                                     day=timezone.localdate())
    _, leader = _token(django_user_model)
    _, official = _token(django_user_model, role="unit_official", units=[ward])
    url = tile_url("security-incidents", CITY, 12)
    status, _, _ = _same_as_django(client, url, HTTP_AUTHORIZATION=leader)
    assert status == "200 OK"
    status, headers, _ = _same_as_django(client, url, HTTP_AUTHORIZATION=official)
    assert status.startswith("204")  # the city is outside the official's ward
    assert headers["cache-control"] == "private, no-cache"


def test_a_revoked_token_is_refused_at_once(client, django_user_model):
    token, auth = _token(django_user_model)
    url = tile_url("security-incidents", CITY, 12)
    assert _call(url, HTTP_AUTHORIZATION=auth)[3] == []
    token.revoked_at = timezone.now()
    token.save()
    assert _call(url, HTTP_AUTHORIZATION=auth)[3] == [url]  # Django answers the 401
    assert client.get(url, HTTP_AUTHORIZATION=auth).status_code == 401


@pytest.mark.parametrize("case", ["no scope", "bad token", "other scheme", "session", "post",
                                  "unknown layer", "bad filter", "outside pyramid",
                                  "non-ascii digits", "anonymous private"])
def test_anything_else_goes_to_django(client, django_user_model, case):
    url = tile_url("schools", CITY, 12)
    headers = {}
    if case == "no scope":
        headers["HTTP_AUTHORIZATION"] = _token(django_user_model, scopes=("units:read",))[1]
    elif case == "bad token":
        headers["HTTP_AUTHORIZATION"] = "Token abcdefgh.wrong"
    elif case == "other scheme":
        headers["HTTP_AUTHORIZATION"] = "Basic dXNlcjpwYXNz"
    elif case == "session":
        headers["HTTP_COOKIE"] = "csrftoken=x; sessionid=abc"
    elif case == "post":
        headers["REQUEST_METHOD"] = "POST"
    elif case == "unknown layer":
        url = "/tiles/no-such-layer/12/3249/1812.pbf"
    elif case == "bad filter":
        url = tile_url("schools", CITY, 12, "status=closed")
    elif case == "outside pyramid":
        url = "/tiles/schools/12/4096/1.pbf"
    elif case == "non-ascii digits":
        url = "/tiles/schools/1\u0662/1/1.pbf"
    elif case == "anonymous private":
        url = tile_url("security-incidents", CITY, 12)
    status, _, body, calls = _call(url, **headers)
    assert calls and body == b"django"


def test_https_rules_are_djangos(client, settings):
    url = tile_url("schools", CITY, 12)
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600
    assert _call(url)[3] == [url]  # plain HTTP: Django redirects
    status, headers, _, calls = _call(url, HTTP_X_FORWARDED_PROTO="https")
    assert calls == [] and status == "200 OK"
    assert headers["Strict-Transport-Security"].startswith("max-age=3600")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_the_wsgi_application_is_wrapped():
    from ioc_gis.wsgi import application

    assert isinstance(application, TileGateway)
