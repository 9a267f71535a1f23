"""Check every data source's liveness and quality now and raise alerts to owners
(`--follow` checks again every IOC_SOURCES_CHECK_SECONDS)."""
import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from sources import conf
from sources.models import Liveness
from sources.services import sources_check


class Command(BaseCommand):
    help = "Kiểm tra tình trạng cập nhật và chất lượng các nguồn dữ liệu"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--follow", action="store_true")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, follow: bool, no_progress: bool, **options) -> None:
        while True:
            bar = tqdm(desc="nguồn dữ liệu", unit=" nguồn", disable=no_progress or follow)

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            statuses = sources_check(progress=progress)
            bar.close()
            counts = {label: sum(1 for s in statuses if s.liveness == value)
                      for value, label in Liveness.choices}
            self.stdout.write("; ".join(f"{label}: {n}" for label, n in counts.items() if n))
            if not follow:
                return
            time.sleep(conf.get("IOC_SOURCES_CHECK_SECONDS"))
