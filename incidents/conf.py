"""Settings of the incidents app, read lazily from `django.conf.settings` with defaults.

IOC_CENTER_NAME
    How the operations centre signs public replies written by province-wide staff who work in
    no particular sector (default: "Trung tâm Điều hành thông minh tỉnh Thanh Hóa").
IOC_NOTIFY_MAX_ATTEMPTS
    Deliveries of one notification tried before it is left for a person to look at (default 5).
IOC_NOTIFY_FROM_EMAIL
    Sender of e-mails to reporters (default: DEFAULT_FROM_EMAIL).
"""
from django.conf import settings


def center_name() -> str:
    """The signature of the operations centre on public replies."""
    return getattr(settings, "IOC_CENTER_NAME", "Trung tâm Điều hành thông minh tỉnh Thanh Hóa")


def notify_max_attempts() -> int:
    """How many times one notification is tried."""
    return int(getattr(settings, "IOC_NOTIFY_MAX_ATTEMPTS", 5))


def notify_from_email() -> str:
    """The From address of e-mails to reporters."""
    return getattr(settings, "IOC_NOTIFY_FROM_EMAIL", settings.DEFAULT_FROM_EMAIL)
