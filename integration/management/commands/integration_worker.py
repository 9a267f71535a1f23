"""Executes queued import runs when no Celery broker is configured (a local worker), and keeps
the schedules Celery beat keeps otherwise: every IOC_PULL_TICK_SECONDS it queues the pulls that
are due (layer connectors and KPI feeds); every IOC_SOURCES_CHECK_SECONDS it checks the sources'
liveness and quality (raising alerts to owners) and sends waiting alert mail; every
IOC_KPI_LOCAL_REFRESH_SECONDS (an hour) it refreshes the computed KPIs and what needs attention
(insights/, without the scheduled forecasts: those are computed when first asked for)."""
import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from integration import conf
from integration.errors import RunNotQueued
from integration.models import ImportRun, RunStatus
from integration.pull import pull_due
from integration.services import import_run_execute
from integration.tasks import WORKER_LOCK

log = logging.getLogger(__name__)


def kpi_feeds_tick() -> None:
    """The KPI feeds that are due (kpi/feeds.py): each writes its own run, failed or not."""
    from kpi.feeds import feeds_pull_due

    try:
        feeds_pull_due()
    except Exception:  # noqa: BLE001 - keep importing whatever a feed met
        log.exception("KPI feeds pull failed")


def kpi_tick() -> None:
    """Computed KPIs, then what needs attention and its alerts (the hourly beat entries)."""
    from insights.refresh import insights_refresh
    from kpi.refresh import kpis_refresh_scheduled

    try:
        kpis_refresh_scheduled()
        insights_refresh(forecasts=False)
    except Exception:  # noqa: BLE001 - keep importing whatever the refresh met
        log.exception("KPI refresh failed")


def sources_tick() -> None:
    """The sources' health check and the alert mail (sources/, alerts/): a failure here is
    logged, never the end of the worker that imports."""
    from alerts.services import deliveries_send
    from sources.services import sources_check

    try:
        sources_check()
        deliveries_send()
    except Exception:  # noqa: BLE001 - keep importing whatever the check met
        log.exception("sources check failed")


def run_next() -> ImportRun | None:
    """Take the oldest queued run (skipping runs another worker is taking) and execute it."""
    with transaction.atomic():
        run = (ImportRun.objects.select_for_update(skip_locked=True)
               .filter(status=RunStatus.QUEUED).order_by("id").first())
    if run is None:
        return None
    try:
        return import_run_execute(run=run)
    except RunNotQueued:
        return None


class Command(BaseCommand):
    help = ("Nhập các lượt đang chờ (khi không có Celery) và xếp hàng các lượt lấy dữ liệu đến "
            "hạn: --follow để chạy liên tục.")

    def add_arguments(self, parser):
        parser.add_argument("--follow", action="store_true", help="keep polling")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
        parser.add_argument("--no-schedule", action="store_true",
                            help="do not queue due pulls (Celery beat does it)")

    def handle(self, *args, follow: bool, interval: float, no_schedule: bool, **options):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", list(WORKER_LOCK))
            if not cursor.fetchone()[0]:
                self.stderr.write("another integration worker is running on this database; "
                                  "both take runs (each run once)")
        next_tick = next_check = 0.0
        # The KPI refresh takes seconds: first a minute after start, and only when idle.
        next_kpi = time.monotonic() + 60
        while True:
            if not no_schedule and follow and time.monotonic() >= next_check:
                from sources.conf import get as sources_setting

                next_check = time.monotonic() + sources_setting("IOC_SOURCES_CHECK_SECONDS")
                sources_tick()
            if not no_schedule and time.monotonic() >= next_tick:
                next_tick = time.monotonic() + conf.get("IOC_PULL_TICK_SECONDS")
                for run in pull_due(dispatch=False):  # taken below, by this loop
                    self.stdout.write(f"run #{run.pk}: queued pull of connector "
                                      f"#{run.connector_id}")
                if follow:
                    kpi_feeds_tick()
            run = run_next()
            if run is not None:
                self.stdout.write(f"run #{run.pk}: {run.status} — {run.message}")
                continue
            if not follow:
                return
            if not no_schedule and time.monotonic() >= next_kpi:
                next_kpi = time.monotonic() + float(getattr(
                    settings, "IOC_KPI_LOCAL_REFRESH_SECONDS", 3600))
                kpi_tick()
            time.sleep(interval)
