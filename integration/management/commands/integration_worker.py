"""Executes queued import runs when no Celery broker is configured (a local worker)."""
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from integration.errors import RunNotQueued
from integration.models import ImportRun, RunStatus
from integration.services import import_run_execute
from integration.tasks import WORKER_LOCK


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
    help = "Nhập các lượt đang chờ (khi không có Celery): --follow để chạy liên tục."

    def add_arguments(self, parser):
        parser.add_argument("--follow", action="store_true", help="keep polling")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")

    def handle(self, *args, follow: bool, interval: float, **options):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", list(WORKER_LOCK))
            if not cursor.fetchone()[0]:
                self.stderr.write("another integration worker is running on this database; "
                                  "both take runs (each run once)")
        while True:
            run = run_next()
            if run is not None:
                self.stdout.write(f"run #{run.pk}: {run.status} — {run.message}")
                continue
            if not follow:
                return
            time.sleep(interval)
