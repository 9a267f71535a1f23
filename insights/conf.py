"""Settings of the KPI insights, read lazily from `django.conf.settings` with defaults
(`IOC_INSIGHTS_…`).

IOC_INSIGHTS_TREND_WINDOW
    Periods the trend test looks back over, by periodicity (default 12; days 28: four weeks).
IOC_INSIGHTS_TREND_HISTORY
    The seasonal Kendall test's window, by periodicity: used instead of the Mann–Kendall
    window when every season has two values in it (default 56 days — eight weeks of a
    weekly cycle —, 36 months, 12 quarters; years have no season).
IOC_INSIGHTS_TREND_ALPHA
    Significance level of the Mann–Kendall test (default 0.05, two-sided).
IOC_INSIGHTS_TREND_MIN_POINTS
    Fewest values in the window for a verdict (default 6; fewer: "insufficient").
IOC_INSIGHTS_STREAK_MIN
    Consecutive periods off target (amber or red) that make a streak (default 3).
IOC_INSIGHTS_BACKTEST_ORIGINS
    Rolling origins of the forecast backtest: the last k periods (default 6).
IOC_INSIGHTS_FORECAST_HORIZON
    Periods forecast when the request names none (default 3).
IOC_INSIGHTS_MAX_HORIZON
    Most periods a forecast reaches, and what is stored (default 6).
IOC_INSIGHTS_HISTORY
    Periods of history a forecast is fitted on, by periodicity (default: 120 days, 60 months,
    24 quarters, 15 years).
IOC_INSIGHTS_SCHEDULED_FORECASTS
    Which units the scheduled refresh forecasts ahead of time (default "PROVINCE,DISTRICT":
    the province and the 26 pre-2025 districts; communes are forecast on request and stored).
IOC_INSIGHTS_ALERTS
    Whether the refresh raises and closes KPI_ATTENTION alerts (default True).
"""
from django.conf import settings

DEFAULTS = {
    "IOC_INSIGHTS_TREND_WINDOW": {"DAY": 28, "MONTH": 12, "QUARTER": 12, "YEAR": 12},
    "IOC_INSIGHTS_TREND_HISTORY": {"DAY": 56, "MONTH": 36, "QUARTER": 12, "YEAR": 12},
    "IOC_INSIGHTS_TREND_ALPHA": 0.05,
    "IOC_INSIGHTS_TREND_MIN_POINTS": 6,
    "IOC_INSIGHTS_STREAK_MIN": 3,
    "IOC_INSIGHTS_BACKTEST_ORIGINS": 6,
    "IOC_INSIGHTS_FORECAST_HORIZON": 3,
    "IOC_INSIGHTS_MAX_HORIZON": 6,
    "IOC_INSIGHTS_HISTORY": {"DAY": 120, "MONTH": 60, "QUARTER": 24, "YEAR": 15},
    "IOC_INSIGHTS_SCHEDULED_FORECASTS": "PROVINCE,DISTRICT",
    "IOC_INSIGHTS_ALERTS": True,
}


def get(name: str):
    """The setting `name`, or its default."""
    return getattr(settings, name, DEFAULTS[name])
