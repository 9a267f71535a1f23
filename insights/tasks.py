"""Celery task of the KPI insights (beat entry in ioc_gis/celery.py). Thin: one call."""
from celery import shared_task


@shared_task(name="insights.refresh")
def refresh() -> dict:
    """Recompute what needs attention, its alerts and the scheduled forecasts; the counts."""
    from .refresh import insights_refresh

    report = insights_refresh()
    return {"series": report.series, "attention": report.attention,
            "alerts_open": report.alerts_open, "alerts_closed": report.alerts_closed,
            "forecasts_stored": report.forecasts_stored, "seconds": report.seconds}
