"""Who and from where, for every write made while serving a request."""
import ipaddress

from django.core.handlers.asgi import ASGIRequest
from django.core.handlers.wsgi import WSGIRequest

from . import conf
from .services import audit_context


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or the address our outermost trusted proxy saw (see audit.conf)."""
    address = request.META.get("REMOTE_ADDR")
    proxies = conf.trusted_proxy_count()
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            address = hops[-proxies]
    try:
        return str(ipaddress.ip_address(address or ""))
    except ValueError:
        return None


def user_values(user) -> dict:
    """The `user` / `username` context of a (possibly anonymous) user."""
    if user is None or not getattr(user, "is_authenticated", False):
        return {"user": None, "username": None}
    return {"user": user.pk, "username": user.get_username()}


def token_value(auth) -> dict:
    """The `token` context: the id of the API token a request authenticated with, if any."""
    return {"token": getattr(auth, "pk", None)}


class _AuditedRequest:
    """Keeps the context current when authentication happens after the middleware ran.

    DRF authenticates lazily inside the view and then sets `request.user` and `request.auth` on
    the Django request; so does `django.contrib.auth.login()`. (The same idea as
    pghistory.middleware.DjangoRequest, extended to `auth`.)"""

    def __setattr__(self, name, value):
        super().__setattr__(name, value)
        if name == "user":
            audit_context(**user_values(value))
        elif name == "auth":
            audit_context(**token_value(value))


class _AuditedWSGIRequest(_AuditedRequest, WSGIRequest):
    pass


class _AuditedASGIRequest(_AuditedRequest, ASGIRequest):
    pass


class AuditContextMiddleware:
    """Wraps each request in an audit context: user, username, ip, method, path, token.

    Place after AuthenticationMiddleware (the session user is read at the start). Writes made
    after DRF authenticates carry DRF's user and token. Synchronous requests only (the context
    is thread-local, like the database connection it is sent on).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        """Serve the request inside an audit context describing it."""
        values = {
            **user_values(getattr(request, "user", None)),
            **token_value(getattr(request, "auth", None)),
            "ip": client_ip(request),
            "method": request.method,
            "path": request.path[:500],
        }
        with audit_context(**values):
            if type(request) is WSGIRequest:
                request.__class__ = _AuditedWSGIRequest
            elif type(request) is ASGIRequest:
                request.__class__ = _AuditedASGIRequest
            return self.get_response(request)
