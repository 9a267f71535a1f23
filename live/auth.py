"""Who is on a socket: the same answer as for an HTTP request, from the handshake's session
cookie or API token. One function serves the connect and every later re-check, so a logout,
a session timeout, a revoked token or a changed jurisdiction reaches open sockets too.

- API token: `Authorization: Token <key>` (server-side clients), or the subprotocol
  `ioc.token.<key>` offered next to `ioc.live.v1` (clients that cannot set headers). Never in
  the query string: URLs end up in access logs. A token needs the scope `layers:read`.
- Session: the session cookie, with the rules of the HTTP middleware — a session still owing
  its second factor is anonymous (accounts.selectors.user_otp_pending), and so is one past its
  idle or absolute timeout (accounts.middleware.session_expired). The socket does not count as
  activity: it never extends a session.
"""
import time
from dataclasses import dataclass
from importlib import import_module
from types import SimpleNamespace

from django.conf import settings
from django.contrib import auth
from django.http.cookie import parse_cookie
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device
from rest_framework.exceptions import AuthenticationFailed

from access.authentication import ApiTokenAuthentication
from access.principal import Principal, principal_for_user
from accounts.middleware import session_expired
from accounts.selectors import user_otp_pending
from incidents.realtime import incident_feed_allowed

from . import conf
from .errors import NotAllowed, NotAuthenticated


@dataclass(frozen=True)
class SocketCredentials:
    """What the handshake carried: an Authorization value (from the header or the token
    subprotocol) and the session key of the cookie."""

    authorization: str | None = None
    session_key: str | None = None


def credentials_of(scope: dict) -> SocketCredentials:
    """Read the credentials of an ASGI websocket scope (no database access)."""
    headers = dict(scope.get("headers") or [])
    authorization = None
    for protocol in scope.get("subprotocols") or []:
        if protocol.startswith(conf.TOKEN_SUBPROTOCOL_PREFIX):
            authorization = "Token " + protocol[len(conf.TOKEN_SUBPROTOCOL_PREFIX):]
            break
    else:
        if b"authorization" in headers:
            authorization = headers[b"authorization"].decode("latin1")
    cookies = parse_cookie(headers.get(b"cookie", b"").decode("latin1"))
    return SocketCredentials(authorization=authorization,
                             session_key=cookies.get(settings.SESSION_COOKIE_NAME) or None)


def socket_principal(credentials: SocketCredentials) -> Principal:
    """The principal of a socket, or NotAuthenticated (4401) / NotAllowed (4403). A token
    wins over a session cookie, as on the API. Runs queries: call it off the event loop."""
    token_user = _token_user(credentials.authorization)
    if token_user is not None:
        principal = principal_for_user(*token_user)
        if not principal.has_scope(conf.TOKEN_SCOPE):
            raise NotAllowed(f"Khóa API cần quyền {conf.TOKEN_SCOPE}.")
    else:
        user = _session_user(credentials.session_key)
        if user is None:
            raise NotAuthenticated()
        principal = principal_for_user(user)
    if not incident_feed_allowed(principal):
        raise NotAllowed()
    return principal


def _token_user(authorization: str | None):
    """(user, token) for a valid token; None when no token was offered; NotAuthenticated for
    a bad, revoked or expired one (the API's own checks, ApiTokenAuthentication)."""
    if not authorization:
        return None
    request = SimpleNamespace(META={"HTTP_AUTHORIZATION": authorization})
    try:
        return ApiTokenAuthentication().authenticate(request)
    except AuthenticationFailed as exc:
        raise NotAuthenticated(str(exc.detail)) from exc


def _session_user(session_key: str | None):
    """The user of a session that is fully signed in and not timed out, else None."""
    if not session_key:
        return None
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user = auth.get_user(SimpleNamespace(session=session))  # checks the session's hash too
    if not user.is_authenticated or session_expired(session, now=int(time.time())):
        return None
    _verify_second_factor(user, session)
    return None if user_otp_pending(user=user) else user


def _verify_second_factor(user, session) -> None:
    """What django-otp's middleware does for a request: the device recorded in the session
    verifies the user when it is theirs and confirmed."""
    device = None
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    if persistent_id:
        device = Device.from_persistent_id(persistent_id)
        if device is not None and (device.user_id != user.pk or not device.confirmed):
            device = None
    user.otp_device = device
    user.is_verified = lambda: device is not None
