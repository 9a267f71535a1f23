"""Pull a connector's source now, in this process, with a progress bar — the same run the
schedule and `POST /api/integration/connectors/{id}/pull/` queue for a worker."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from access.principal import principal_for_user
from integration.models import Connector, RunStatus, RunTrigger
from integration.pull import pull_start
from integration.services import import_run_execute
from ioc_gis.errors import DomainError


class Command(BaseCommand):
    help = "Lấy dữ liệu ngay từ nguồn của một kết nối (HTTP, OGC API), đồng bộ."

    def add_arguments(self, parser):
        parser.add_argument("connector", type=int, help="connector id")
        parser.add_argument("--user", help="act as this user (rights and jurisdiction apply); "
                                           "default: the system")
        parser.add_argument("--queue", action="store_true",
                            help="only queue the run for a worker (print its id)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, connector: int, user: str | None, queue: bool, no_progress: bool,
               **options):
        target = Connector.objects.select_related("layer").filter(pk=connector).first()
        if target is None:
            raise CommandError(f"no connector #{connector}")
        account = get_user_model().objects.get(username=user) if user else None
        try:
            with transaction.atomic():
                run = pull_start(connector=target, trigger=RunTrigger.MANUAL,
                                 principal=principal_for_user(account) if account else None,
                                 user=account, dispatch=queue)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if queue:
            self.stdout.write(f"run #{run.pk}: queued")
            return
        bars: dict[str, tqdm] = {}

        def progress(phase: str, done: int, total: int) -> None:
            bar = bars.get(phase)
            if bar is None:
                for other in bars.values():
                    other.close()
                bar = bars[phase] = tqdm(total=total, desc=phase.lower(),
                                         disable=no_progress or not total)
            bar.total = max(bar.total or 0, total)
            bar.update(done - bar.n)

        try:
            run = import_run_execute(run=run, progress=progress)
        finally:
            for bar in bars.values():
                bar.close()
        self.stdout.write(f"run #{run.pk}: {run.status} — {run.message}")
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(run.message)
