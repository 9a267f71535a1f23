"""Settings of the wall, read lazily from `django.conf.settings` with defaults.

IOC_WALL_PIN_POLL_SECONDS
    How often an open wall asks whether a scene was pinned (default 30).
IOC_WALL_KPI_POLL_SECONDS
    How often it refreshes its KPI strip, besides after each live event (default 60).
IOC_WALL_EVENTS
    How many recent incidents its event list shows (default 12).
"""
from django.conf import settings


def pin_poll_seconds() -> int:
    """Seconds between two pin checks of an open wall."""
    return int(getattr(settings, "IOC_WALL_PIN_POLL_SECONDS", 30))


def kpi_poll_seconds() -> int:
    """Seconds between two KPI refreshes when no event arrives."""
    return int(getattr(settings, "IOC_WALL_KPI_POLL_SECONDS", 60))


def events_shown() -> int:
    """Length of the wall's list of recent incidents."""
    return int(getattr(settings, "IOC_WALL_EVENTS", 12))
