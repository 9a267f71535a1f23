"""Settings of the KPI app, read lazily from `django.conf.settings` with defaults (`IOC_KPI_…`).

IOC_KPI_SPARKLINE_PERIODS
    Periods in a summary card's sparkline, the latest value's search window (default 12).
IOC_KPI_MAX_PERIODS
    Longest series one request may ask for (default 1000 periods; beyond: 400).
IOC_KPI_IMPORT_MAX_BYTES
    Largest file `POST /api/kpi/values/import/` and `kpi_import` accept (default 20 MB).
IOC_KPI_IMPORT_MAX_ROWS
    Most rows in one import (default 200,000).
IOC_KPI_REFRESH_LOOKBACK_DAYS
    The scheduled refresh recomputes periods starting this many days back (default 62: the
    current and the previous month, so late corrections are picked up).
IOC_KPI_FEED_TIMEOUT
    Seconds a feed's pull waits to connect and for each read (default 30; kpi/feeds.py). The
    size cap, redirect cap and whole-transfer limit are integration's (IOC_IMPORT_MAX_UPLOAD_BYTES,
    IOC_PULL_MAX_REDIRECTS, IOC_PULL_MAX_SECONDS).
"""
from django.conf import settings

DEFAULTS = {
    "IOC_KPI_SPARKLINE_PERIODS": 12,
    "IOC_KPI_MAX_PERIODS": 1000,
    "IOC_KPI_IMPORT_MAX_BYTES": 20 * 1024 * 1024,
    "IOC_KPI_IMPORT_MAX_ROWS": 200_000,
    "IOC_KPI_REFRESH_LOOKBACK_DAYS": 62,
    "IOC_KPI_FEED_TIMEOUT": 30,
}


def get(name: str):
    """The setting `name`, or its default."""
    return getattr(settings, name, DEFAULTS[name])
