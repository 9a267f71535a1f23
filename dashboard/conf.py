"""Settings of the dashboard, read lazily from `django.conf.settings` with defaults
(`IOC_DASHBOARD_…`).

IOC_DASHBOARD_RECORDS_LIMIT
    Most records one answer of /api/dashboard/kpi/{code}/records/ lists (default 200; the
    total is always counted).
IOC_DASHBOARD_PERIOD_CHOICES
    Months offered by the page's period filter, back from the current one (default 24).
IOC_DASHBOARD_SERIES_PERIODS
    Periods of the briefing's series chart (default 24).
IOC_DASHBOARD_MAP_SIMPLIFY
    Tolerance, degrees, of the unit outlines drawn in a briefing (default 0.0005, about 50 m).
IOC_DASHBOARD_FORECAST_HORIZON
    Periods ahead the page and the briefing ask the forecast for (default 6).
"""
from django.conf import settings

DEFAULTS = {
    "IOC_DASHBOARD_RECORDS_LIMIT": 200,
    "IOC_DASHBOARD_PERIOD_CHOICES": 24,
    "IOC_DASHBOARD_SERIES_PERIODS": 24,
    "IOC_DASHBOARD_MAP_SIMPLIFY": 0.0005,
    "IOC_DASHBOARD_FORECAST_HORIZON": 6,
}


def get(name: str):
    """The setting `name`, or its default."""
    return getattr(settings, name, DEFAULTS[name])
