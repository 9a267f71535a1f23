"""`Authorization: Token <key>` authentication for integration clients (DRF)."""
import hmac
import re
from datetime import timedelta

from django.utils import timezone
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from .models import TOKEN_PREFIX_LENGTH, ApiToken

KEYWORDS = (b"token", b"bearer")
LAST_USED_RESOLUTION = timedelta(minutes=1)  # don't write the row on every request
KEY_PART = re.compile(r"[A-Za-z0-9_-]{1,200}")


def split_key(key: str) -> tuple[str, str]:
    """A key is '<8-char prefix>.<secret>', both URL-safe base64 (anything else, such as a NUL
    that PostgreSQL would refuse in the lookup, is simply an invalid key)."""
    prefix, _, secret = key.partition(".")
    if not KEY_PART.fullmatch(prefix) or len(prefix) != TOKEN_PREFIX_LENGTH \
            or not KEY_PART.fullmatch(secret):
        raise AuthenticationFailed("Khóa API không hợp lệ.")
    return prefix, secret


class ApiTokenAuthentication(BaseAuthentication):
    """Authenticates a hashed, scoped, expiring API token; request.auth is the ApiToken."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() not in KEYWORDS:
            return None
        if len(header) != 2:
            raise AuthenticationFailed("Tiêu đề Authorization không hợp lệ.")
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise AuthenticationFailed("Khóa API không hợp lệ.") from exc
        token = token_for_key(key)
        return token.user, token

    def authenticate_header(self, request) -> str:
        """Makes DRF answer 401 (not 403) when credentials are missing or wrong."""
        return 'Token realm="ioc-gis"'


def token_for_key(key: str) -> ApiToken:
    """The usable token of a key, wherever the key was sent (the Authorization header here,
    Open311's `api_key` parameter in open311/authentication.py): one check, so revocation,
    expiry and a locked account mean the same everywhere. AuthenticationFailed otherwise."""
    prefix, secret = split_key(key)
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, ApiToken.digest_of(secret)):
        raise AuthenticationFailed("Khóa API không hợp lệ.")
    if token.revoked_at is not None:
        raise AuthenticationFailed("Khóa API đã bị thu hồi.")
    if token.is_expired:
        raise AuthenticationFailed("Khóa API đã hết hạn.")
    if not token.user.is_active:
        raise AuthenticationFailed("Tài khoản của khóa API đã bị khóa.")
    _touch(token)
    return token


def _touch(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
