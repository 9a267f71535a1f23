"""Writes of the access app."""
import re
import secrets
from datetime import datetime

from django.db import transaction

from ioc_gis.errors import InvalidInputError

from .models import SCOPE_PATTERN, TOKEN_PREFIX_LENGTH, ApiToken


def scopes_errors(scopes: list[str]) -> list[str]:
    """Scopes that are not of a known form."""
    return [f"unknown scope {s!r}" for s in scopes if not re.match(SCOPE_PATTERN, s)]


@transaction.atomic
def api_token_issue(*, token: ApiToken) -> str:
    """Give an unsaved (or key-less) token a fresh key, save it, and return the key.

    The key is returned once and never stored: only its SHA-256 digest is.
    """
    errors = scopes_errors(token.scopes)
    if errors:
        raise InvalidInputError("Quyền không hợp lệ.", details=errors)
    prefix = secrets.token_urlsafe(6)[:TOKEN_PREFIX_LENGTH]
    while ApiToken.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_urlsafe(6)[:TOKEN_PREFIX_LENGTH]
    secret = secrets.token_urlsafe(32)
    token.prefix, token.digest = prefix, ApiToken.digest_of(secret)
    token.save()
    return f"{prefix}.{secret}"


def api_token_create(*, name: str, user, scopes: list[str], expires_at: datetime,
                     units=(), sectors: list[str] | None = None) -> tuple[ApiToken, str]:
    """Create a token for an integration client; returns (token, key shown once)."""
    token = ApiToken(name=name, user=user, scopes=list(scopes), expires_at=expires_at,
                     sectors=list(sectors or []))
    key = api_token_issue(token=token)
    token.units.set(units)
    return token, key
