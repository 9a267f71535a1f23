"""Live push settings (docs/adr/0009-live-push.md), star-imported at the end of base.py.

Events are published by the HTTP processes (gunicorn) and delivered by the WebSocket process
(uvicorn, `ioc_gis.asgi`): with a Redis URL they meet in Redis (channels_redis); without one the
in-memory layer only reaches sockets of the publishing process itself (tests, one process)."""
from urllib.parse import urlsplit as _urlsplit

import environ as _environ

from .base import ALLOWED_HOSTS, REDIS_URL
from .security import CONTENT_SECURITY_POLICY

_env = _environ.Env()

# Its own variable, so that the broker of the live push does not also move the tile cache to
# Redis (REDIS_URL does both); `scripts/redis.sh` writes it for `make demo`.
IOC_LIVE_REDIS_URL = _env("IOC_LIVE_REDIS_URL", default=REDIS_URL)
# Keys of the channel layer start with this (several checkouts or test runs on one Redis).
IOC_LIVE_CHANNEL_PREFIX = _env("IOC_LIVE_CHANNEL_PREFIX", default="ioc-live")

if IOC_LIVE_REDIS_URL:
    # Redis pub/sub: an event is published once per group and each socket process receives
    # it once, then hands it to its member sockets in memory. (The list-based layer wrote and
    # popped one Redis message per socket: with 200 sockets and 176 reports/s it fell seconds
    # behind; bench/reports.py.) Sockets that are not connected miss events and catch up when
    # they reconnect (docs/adr/0009-live-push.md).
    CHANNEL_LAYERS = {"default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [IOC_LIVE_REDIS_URL], "prefix": IOC_LIVE_CHANNEL_PREFIX},
    }}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Where pages open the socket. Empty: the page's own origin, /ws/incidents/ (the nginx layout,
# where /ws/ goes to the uvicorn process). IOC_LIVE_WS_PORT: the page's host on that port
# (`make demo`, where gunicorn and uvicorn listen side by side). IOC_LIVE_WS_URL: as given.
IOC_LIVE_WS_URL = _env("IOC_LIVE_WS_URL", default="")
IOC_LIVE_WS_PORT = _env.int("IOC_LIVE_WS_PORT", default=0)
# How often an open socket re-checks its session or token (revocation, logout, timeouts,
# changed rights) and renews its group memberships.
IOC_LIVE_RECHECK_SECONDS = _env.int("IOC_LIVE_RECHECK_SECONDS", default=60)
# The longest a request waits for the broker when publishing after commit.
IOC_LIVE_PUBLISH_TIMEOUT_SECONDS = _env.float("IOC_LIVE_PUBLISH_TIMEOUT_SECONDS", default=1.0)


def _socket_sources(hosts: list[str], port: int) -> list[str]:
    """CSP sources for a socket on another port of the page's host ('self' covers only the
    page's own port)."""
    sources = []
    for host in hosts:
        if host.startswith("["):
            continue  # CSP host sources cannot name IPv6 literals
        host = "*" if host == "*" else ("*" + host if host.startswith(".") else host)
        sources += [f"ws://{host}:{port}", f"wss://{host}:{port}"]
    return sources


if IOC_LIVE_WS_URL:
    _url = _urlsplit(IOC_LIVE_WS_URL)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["connect-src"].append(f"{_url.scheme}://{_url.netloc}")
elif IOC_LIVE_WS_PORT:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["connect-src"].extend(
        _socket_sources(ALLOWED_HOSTS, IOC_LIVE_WS_PORT))
