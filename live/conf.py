"""Settings of the live push, read when used (set in ioc_gis/settings/live.py)."""
from django.conf import settings

SOCKET_PATH = "/ws/incidents/"
SUBPROTOCOL = "ioc.live.v1"
TOKEN_SUBPROTOCOL_PREFIX = "ioc.token."  # "ioc.token.<API key>", for clients without headers
TOKEN_SCOPE = "layers:read"  # what a token needs to follow incidents (as GET /api/incidents/)


def ws_url() -> str:
    """A fixed socket URL for pages, or "" (then it is derived from the page's request)."""
    return getattr(settings, "IOC_LIVE_WS_URL", "")


def ws_port() -> int:
    """The port of the socket server on the page's own host (0: the page's own port)."""
    return getattr(settings, "IOC_LIVE_WS_PORT", 0)


def recheck_seconds() -> float:
    """How often an open socket re-checks its credentials and renews its group memberships."""
    return getattr(settings, "IOC_LIVE_RECHECK_SECONDS", 60)
