"""Reads about a user's second factor: who must use one and whether this session has."""
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import conf

_REQUIRED_CACHE = "_ioc_otp_required"  # memo on the user object: asked several times a request


def user_is_administrator(*, user) -> bool:
    """Superusers and members of the administrator group."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.groups.filter(name=conf.administrator_group()).exists()


def user_otp_required(*, user) -> bool:
    """Administrators always; other users once they have enrolled a confirmed device."""
    if not user.is_authenticated:
        return False
    cached = getattr(user, _REQUIRED_CACHE, None)
    if cached is None:
        cached = user_is_administrator(user=user) or user_has_device(user, confirmed=True)
        setattr(user, _REQUIRED_CACHE, cached)
    return cached


def user_otp_verified(*, user) -> bool:
    """Whether this session has passed the second factor (set by django-otp's middleware)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def user_otp_pending(*, user) -> bool:
    """Signed in with a password but still owing the second factor."""
    return user_otp_required(user=user) and not user_otp_verified(user=user)


def totp_device_confirmed_for(*, user) -> TOTPDevice | None:
    """The user's confirmed TOTP device, if any (the oldest one)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
