"""Celery task of the KPI app: the scheduled refresh of computed KPIs (beat entry in
ioc_gis/celery.py). Thin: one service call."""
from celery import shared_task


@shared_task(name="kpi.refresh")
def refresh() -> dict:
    """Recompute every active computed KPI over the recent periods; counts per KPI."""
    from .refresh import kpis_refresh_scheduled

    return {run.kpi.code if run.kpi else run.computation: run.rows_inserted + run.rows_updated
            for run in kpis_refresh_scheduled()}
