"""Why a socket is refused or closed. Close codes 4000–4999 are the application's own (RFC 6455
§7.4.2); they mirror the HTTP statuses a request would get."""


class SocketRefused(Exception):
    """The socket is accepted, then closed at once with `code`: a browser sees the code, which
    a refusal during the handshake would hide (it only reports 1006)."""

    code = 4400
    reason = "Yêu cầu không hợp lệ."

    def __init__(self, reason: str | None = None):
        super().__init__(reason or self.reason)
        self.reason = reason or self.reason


class NotAuthenticated(SocketRefused):
    """No session, an expired one, one still owing its second factor, or a bad token. Signing in
    again helps; reconnecting does not."""

    code = 4401
    reason = "Chưa đăng nhập hoặc phiên đã hết hạn."


class NotAllowed(SocketRefused):
    """Signed in, but not allowed to follow incidents (role, token scope, no ground)."""

    code = 4403
    reason = "Không có quyền theo dõi sự cố."


class UnknownPath(SocketRefused):
    code = 4404
    reason = "Không có kênh này."
