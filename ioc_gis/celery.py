"""Celery: scheduled background work (escalating overdue incidents, notifying reporters).

Optional — the web application never needs it, and `make demo` / `make start` run without it.
The broker is Redis (`REDIS_URL`); without `REDIS_URL` a task runs in the process that calls
it (`task_always_eager`) and the schedules are kept by the management commands instead
(`manage.py incidents_escalate --follow`, `manage.py incidents_notify --follow`).

Production, next to gunicorn (both with the web application's environment):

    celery -A ioc_gis.celery worker --concurrency 2 --loglevel INFO
    celery -A ioc_gis.celery beat --loglevel INFO --schedule var/celerybeat-schedule
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ioc_gis.settings.prod")

# Every minute; a run that waited longer than its period is dropped (the next one comes).
BEAT_SCHEDULE = {
    "incidents-escalate-overdue": {"task": "incidents.escalate_overdue", "schedule": 60.0,
                                   "options": {"expires": 55}},
    "incidents-deliver-notifications": {"task": "incidents.deliver_notifications",
                                        "schedule": 60.0, "options": {"expires": 55}},
    # integration/: queue the pull connectors whose interval has passed (integration/pull.py)
    "integration-pull-due": {"task": "integration.pull_due", "schedule": 60.0,
                             "options": {"expires": 55}},
    # sources/: liveness and quality of every source, alerts to owners; alerts/: their mail
    "sources-check": {"task": "sources.check", "schedule": 300.0, "options": {"expires": 290}},
    "alerts-deliver": {"task": "alerts.deliver", "schedule": 60.0, "options": {"expires": 55}},
    "kpi-refresh": {"task": "kpi.refresh", "schedule": 3600.0, "options": {"expires": 3500}},
    "kpi-feeds-pull-due": {"task": "kpi.feeds_pull_due", "schedule": 300.0,
                           "options": {"expires": 290}},  # kpi/feeds.py: KPI values by URL
    "insights-refresh": {"task": "insights.refresh", "schedule": 3600.0,
                         "options": {"expires": 3500}},  # insights/: KPI trends, forecasts
}


def celery_settings(redis_url: str) -> dict:
    """Celery's configuration for a given REDIS_URL (empty: no broker, tasks run in place)."""
    return {
        "broker_url": redis_url or "memory://",
        "task_always_eager": not redis_url,
        "task_ignore_result": True,
        "result_expires": None,  # no result backend: no daily clean-up task either
        "task_default_queue": "ioc-gis",
        "broker_connection_retry_on_startup": True,
        "worker_hijack_root_logger": False,
        "timezone": "Asia/Ho_Chi_Minh",
        "beat_schedule": BEAT_SCHEDULE,
    }


def _redis_url() -> str:
    from django.conf import settings

    return settings.REDIS_URL


app = Celery("ioc_gis")
app.conf.update(celery_settings(_redis_url()))
app.autodiscover_tasks(["incidents", "sources", "alerts", "insights"])
