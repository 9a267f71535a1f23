"""Celery tasks of the KPI app: the scheduled refresh of computed KPIs and the pull of due
feeds (beat entries in ioc_gis/celery.py). Thin: one service call each."""
from celery import shared_task


@shared_task(name="kpi.refresh")
def refresh() -> dict:
    """Recompute every active computed KPI over the recent periods; counts per KPI."""
    from .refresh import kpis_refresh_scheduled

    return {run.kpi.code if run.kpi else run.computation: run.rows_inserted + run.rows_updated
            for run in kpis_refresh_scheduled()}


@shared_task(name="kpi.feeds_pull_due")
def feeds_pull_due() -> dict:
    """Pull every active KPI feed whose interval has passed (kpi/feeds.py); outcome per run."""
    from .feeds import feeds_pull_due as pull_due

    return {run.pk: run.outcome for run in pull_due()}
