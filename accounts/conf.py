"""Settings of the accounts app, read lazily from django.conf.settings with defaults."""
from django.conf import settings


def administrator_group() -> str:
    """Name of the group whose members must use a second factor (besides superusers)."""
    return getattr(settings, "IOC_ADMINISTRATOR_GROUP", "administrator")


def session_idle_seconds() -> int:
    """Seconds without a request after which a staff session ends."""
    return int(getattr(settings, "IOC_SESSION_IDLE_SECONDS", 30 * 60))


def session_max_seconds() -> int:
    """Absolute lifetime of a session, counted from its first authenticated request."""
    return int(settings.SESSION_COOKIE_AGE)


def session_touch_seconds() -> int:
    """The last-activity stamp is rewritten only when older than this (one DB write a minute)."""
    return int(getattr(settings, "IOC_SESSION_TOUCH_SECONDS", 60))


def trusted_proxy_count() -> int:
    """How many reverse proxies in front of the app append to X-Forwarded-For."""
    return int(getattr(settings, "IOC_TRUSTED_PROXY_COUNT", 0))
