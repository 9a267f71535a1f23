"""The Origin check of the socket server (cross-site WebSocket hijacking).

Browsers always send Origin on a WebSocket handshake, and they send the site's cookies with
it whatever page opened the socket. A handshake with an Origin must therefore come from one of
ALLOWED_HOSTS (channels' AllowedHostsOriginValidator rules; otherwise HTTP 403). A handshake
without one is not a browser: it is let through with its cookies removed, so it can only
authenticate with an API token."""
from channels.security.websocket import AllowedHostsOriginValidator


class BrowserOriginValidator:
    """AllowedHostsOriginValidator for browsers; token-only for clients without an Origin."""

    def __init__(self, application):
        self.application = application
        self.checked = AllowedHostsOriginValidator(application)

    async def __call__(self, scope, receive, send):
        headers = scope.get("headers") or []
        if any(name == b"origin" for name, _ in headers):
            return await self.checked(scope, receive, send)
        scope = dict(scope, headers=[(n, v) for n, v in headers if n != b"cookie"])
        return await self.application(scope, receive, send)
