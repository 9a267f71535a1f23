"""`manage.py kpi_feed_pull [--id N …] [--due] [--follow]`: pull KPI feeds now (kpi/feeds.py).

--id pulls the named feeds whether due or not; --due pulls the feeds whose interval has passed
(what the `kpi.feeds_pull_due` beat task does); --follow repeats --due every --interval seconds,
for a machine without Celery."""
import time

from django.core.management.base import BaseCommand, CommandError

from kpi.feeds import feed_pull, feeds_pull_due
from kpi.models import KpiFeed, RunOutcome


class Command(BaseCommand):
    help = "Lấy số liệu KPI từ các nguồn (URL CSV/XLSX) ngay: theo mã hoặc các nguồn đến hạn."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--id", type=int, action="append", dest="ids", default=[],
                            help="mã nguồn (lặp lại được)")
        parser.add_argument("--due", action="store_true", help="các nguồn đã đến hạn lấy")
        parser.add_argument("--follow", action="store_true",
                            help="lặp lại --due mãi (không có Celery beat)")
        parser.add_argument("--interval", type=float, default=60.0)

    def handle(self, *args, ids: list[int], due: bool, follow: bool, interval: float,
               **options) -> None:
        if not ids and not due and not follow:
            raise CommandError("Cần --id N hoặc --due (hoặc --follow).")
        feeds = list(KpiFeed.objects.filter(pk__in=ids))
        missing = sorted(set(ids) - {feed.pk for feed in feeds})
        if missing:
            raise CommandError(f"Không có nguồn số liệu KPI mã {', '.join(map(str, missing))}.")
        runs = [feed_pull(feed) for feed in feeds]
        if due or follow:
            runs += feeds_pull_due()
        self._report(runs)
        while follow:
            time.sleep(interval)
            self._report(feeds_pull_due())
        if any(run.outcome == RunOutcome.FAILED for run in runs):
            raise CommandError("Có lượt lấy thất bại; không ghi gì từ các nguồn đó.")

    def _report(self, runs) -> None:
        for run in runs:
            line = f"Lượt #{run.pk} ({run.feed}): {run.get_outcome_display()} — {run.message}"
            self.stdout.write(self.style.ERROR(line) if run.outcome == RunOutcome.FAILED
                              else line)
