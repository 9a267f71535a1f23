"""Tiles answered before Django's request machinery (ioc_gis/wsgi.py).

A map asks for dozens of tiles per view. Through Django's middleware chain and DRF each tile
cost ~4 ms of Python besides its SQL (bench/tiles.py) — more than most tiles' SQL and ten times
a cached tile. The gateway answers `GET /tiles/<layer>/<z>/<x>/<y>.pbf` for anonymous callers
and API tokens with the very domain call of the view (tiles.services.tile_get) and the view's
headers (tiles.views.tile_answer), plus the security headers our middleware would add.

It steps aside — Django answers, by its usual rules — for everything else: other paths and
methods, browsers' session cookies (Django's session, second-factor and idle-timeout rules
apply to them), plain HTTP when HTTPS is required, credentials that fail or lack the scope
(401/403), and every named error (404 unknown layer or address, 400 bad filter), so errors keep
one format, rendered in one place."""
import logging
import re
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import QueryDict
from rest_framework.exceptions import AuthenticationFailed

from access.authentication import ApiTokenAuthentication
from access.models import ApiToken
from access.principal import ANONYMOUS, Principal, principal_for_user
from ioc_gis.errors import DomainError

from .grid import MAX_ZOOM, TileAddress
from .services import tile_get
from .views import TILE_TOKEN_SCOPE, TileAnswer, tile_answer

log = logging.getLogger(__name__)

TILE_PATH = re.compile(r"^/tiles/([a-z][a-z0-9-]{1,62})/([0-9]{1,2})/([0-9]{1,8})/([0-9]{1,8})\.pbf$")

# A checked token is trusted this long in this process before it is looked up again, so a
# revoked or expired token stops working on tiles within a second everywhere (and at once in the
# process that revoked it: access/signals.py forgets principals, and with them these entries).
TOKEN_RECHECK_SECONDS = 1.0
_MAX_TOKENS = 10_000


@dataclass(frozen=True)
class _TileRoute:
    slug: str
    address: TileAddress
    query: str


class _MetaRequest:
    """What ApiTokenAuthentication reads from a request: its META."""

    def __init__(self, environ) -> None:
        self.META = environ
        self._request = self


class TokenChecks:
    """Tokens checked by the API's own authentication, remembered for a second per process;
    the principal itself comes from access.principal's cache, like the view's."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[float, object, ApiToken]] = {}
        self._lock = threading.Lock()

    def principal(self, environ) -> Principal | None:
        """The token's principal, or None when Django must answer (bad, revoked or expired
        token: 401; missing scope: 403)."""
        header = environ["HTTP_AUTHORIZATION"]
        now = time.monotonic()
        hit = self._seen.get(header)
        if hit is None or now - hit[0] >= TOKEN_RECHECK_SECONDS:
            try:
                result = ApiTokenAuthentication().authenticate(_MetaRequest(environ))
            except AuthenticationFailed:
                return None
            if result is None:  # an Authorization scheme that is not ours
                return None
            hit = (now, *result)
            with self._lock:
                if len(self._seen) >= _MAX_TOKENS:
                    self._seen.clear()
                self._seen[header] = hit
        principal = principal_for_user(hit[1], hit[2])
        return principal if principal.has_scope(TILE_TOKEN_SCOPE) else None

    def forget(self, **_) -> None:
        """Tokens or users changed in this process: check every token again."""
        with self._lock:
            self._seen.clear()


token_checks = TokenChecks()


def security_headers(environ) -> list[tuple[str, str]]:
    """The headers SecurityMiddleware and XFrameOptionsMiddleware add to every answer."""
    headers = []
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        headers.append(("Referrer-Policy", settings.SECURE_REFERRER_POLICY))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    headers.append(("X-Frame-Options", settings.X_FRAME_OPTIONS))
    if settings.SECURE_HSTS_SECONDS and _is_secure(environ):
        value = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            value += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            value += "; preload"
        headers.append(("Strict-Transport-Security", value))
    return headers


def _is_secure(environ) -> bool:
    proxy = settings.SECURE_PROXY_SSL_HEADER
    if proxy and environ.get(proxy[0]) is not None:
        return environ[proxy[0]].split(",")[0].strip() == proxy[1]
    return environ.get("wsgi.url_scheme") == "https"


def _route(environ) -> _TileRoute | None:
    if environ.get("REQUEST_METHOD") != "GET":
        return None
    match = TILE_PATH.match(environ.get("PATH_INFO", ""))
    if match is None:
        return None
    z, x, y = int(match.group(2)), int(match.group(3)), int(match.group(4))
    if z > MAX_ZOOM or x >= 1 << z or y >= 1 << z:
        return None  # Django answers the 404 in the API's error format
    return _TileRoute(match.group(1), TileAddress(z, x, y), environ.get("QUERY_STRING", ""))


def _has_session(environ) -> bool:
    return f"{settings.SESSION_COOKIE_NAME}=" in environ.get("HTTP_COOKIE", "")


class TileGateway:
    """WSGI middleware in front of Django for tile requests (see the module's docstring)."""

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        answer = self._answer(environ)
        if answer is None:
            return self.app(environ, start_response)
        start_response(answer.status_line, answer.headers + security_headers(environ))
        return [answer.body]

    def _answer(self, environ) -> TileAnswer | None:
        route = _route(environ)
        if route is None or _has_session(environ):
            return None
        if settings.SECURE_SSL_REDIRECT and not _is_secure(environ):
            return None  # Django redirects to HTTPS
        # Neither request_started nor request_finished: each re-arms the connection health
        # check, a SELECT 1 round trip before every tile (~0.1 ms, a tenth of a typical tile's
        # statement). A broken connection fails the tile's own statement instead; Django then
        # answers this request (its request_started drops that connection, so the view
        # reconnects), and settle_connections below closes connections past CONN_MAX_AGE.
        try:
            principal = (token_checks.principal(environ) if "HTTP_AUTHORIZATION" in environ
                         else ANONYMOUS)
            if principal is None:
                return None
            tile = tile_get(principal=principal, slug=route.slug, address=route.address,
                            query=QueryDict(route.query))
            return tile_answer(tile, accept_encoding=environ.get("HTTP_ACCEPT_ENCODING", ""),
                               if_none_match=environ.get("HTTP_IF_NONE_MATCH", ""))
        except DomainError:
            return None  # Django renders the named error
        except (InterfaceError, OperationalError) as error:  # e.g. a session ended under us
            log.warning("tile gateway: database unavailable (%s); Django answers %s",
                        str(error).strip().splitlines()[0] if str(error).strip() else "?",
                        environ.get("PATH_INFO"))
            return None
        except Exception:  # Django answers too, in our error format, and logs it again
            log.exception("tile gateway failed on %s", environ.get("PATH_INFO"))
            return None
        finally:
            settle_connections()


def settle_connections() -> None:
    """What request_finished does to database connections, minus re-arming the health check:
    close a connection past CONN_MAX_AGE, left outside autocommit, or with an error since its
    last transaction (Django checks whether that one still works). A connection inside a
    transaction is not the gateway's (a test's, in-process) and stays as it is."""
    now = time.monotonic()
    for conn in connections.all(initialized_only=True):
        if conn.connection is None or conn.in_atomic_block:
            continue
        if (conn.errors_occurred or (conn.close_at is not None and now >= conn.close_at)
                or conn.get_autocommit() != conn.settings_dict["AUTOCOMMIT"]):
            conn.close_if_unusable_or_obsolete()
