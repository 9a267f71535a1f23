"""Settings of the sources app (`IOC_SOURCES_…`), read lazily with defaults."""
from django.conf import settings

DEFAULTS = {
    # Below these shares a source's quality is raised as an alert to its owner.
    "IOC_SOURCES_MIN_VALIDITY": 0.9,
    "IOC_SOURCES_MIN_COMPLETENESS": 0.9,
    # Older than this many expected intervals, a stale source is critical.
    "IOC_SOURCES_CRITICAL_INTERVALS": 3,
    # How often the local worker and the periodic task check the sources.
    "IOC_SOURCES_CHECK_SECONDS": 300,
}


def get(name: str):
    """The setting `name`, or its default."""
    return getattr(settings, name, DEFAULTS[name])
