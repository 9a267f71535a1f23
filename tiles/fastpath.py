"""Cached public tiles served before Django, the way nginx serves them in production.

A request for `/tiles/<layer>/<z>/<x>/<y>.pbf` with no query string and no credentials is
answered straight from the tile cache's `public` variant — which only public, unfiltered tiles
ever have (tiles/services.py::variant_of) — with the same headers the view sends. Anything else,
and every miss, goes to Django. This keeps the app's cached rate far above Django's per-request
cost (middleware, authentication) on a small machine (bench/tiles.py)."""
import gzip
import re

from .cache import PUBLIC_VARIANT, TileKey, tile_cache
from .services import tile_etag
from .views import MVT, accepts_gzip, etag_matches

TILE_PATH = re.compile(r"^/tiles/([a-z][a-z0-9-]{1,62})/(\d{1,2})/(\d{1,8})/(\d{1,8})\.pbf$")

class PublicTileFastPath:
    """WSGI middleware: cached public tiles without entering Django."""

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        body = self._cached(environ)
        if body is None:
            return self.app(environ, start_response)
        headers = [("Vary", "Accept-Encoding"), ("Cache-Control", "public, no-cache"),
                   ("X-Content-Type-Options", "nosniff")]
        if not body:
            start_response("204 No Content", headers)
            return [b""]
        use_gzip = accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", ""))
        digest = tile_etag(body)
        etag = f'"{digest}"' if use_gzip else f'"{digest}-identity"'
        headers.append(("ETag", etag))
        if etag_matches(environ.get("HTTP_IF_NONE_MATCH", ""), etag):
            start_response("304 Not Modified", headers)
            return [b""]
        if use_gzip:
            headers.append(("Content-Encoding", "gzip"))
        else:
            body = gzip.decompress(body)
        headers += [("Content-Type", MVT), ("Content-Length", str(len(body)))]
        start_response("200 OK", headers)
        return [body]

    @staticmethod
    def _cached(environ) -> bytes | None:
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("QUERY_STRING") \
                or environ.get("HTTP_AUTHORIZATION"):
            return None
        match = TILE_PATH.match(environ.get("PATH_INFO", ""))
        if match is None:
            return None
        slug, z, x, y = match.group(1), int(match.group(2)), int(match.group(3)), int(
            match.group(4))
        if z > 22 or x >= 1 << z or y >= 1 << z:
            return None  # Django answers the 404
        try:
            return tile_cache().get(TileKey(slug, z, x, y, PUBLIC_VARIANT))
        except Exception:  # a cache outage must not take tiles down: Django renders them
            return None
