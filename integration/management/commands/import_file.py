"""Import a file through a connector, in this process, with a progress bar — the same service
the upload API queues for a worker."""
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from access.principal import principal_for_user
from integration.errors import ImportFileError
from integration.models import Connector, RunStatus
from integration.services import import_run_execute, import_run_start
from integration.uploads import name_check


class Command(BaseCommand):
    help = "Nhập một tệp qua một kết nối dữ liệu (đồng bộ, có thanh tiến độ)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="a local file (GeoPackage, zipped Shapefile, GeoJSON, "
                                         "KML, CSV, XLSX)")
        parser.add_argument("--connector", type=int, required=True, help="connector id")
        parser.add_argument("--user", help="act as this user (rights and jurisdiction apply); "
                                           "default: the system")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, path: str, connector: int, user: str | None, no_progress: bool,
               **options):
        try:
            name_check(path)
        except ImportFileError as exc:
            raise CommandError(exc.message) from exc
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"{path}: not a regular file")
        target = Connector.objects.select_related("layer").filter(pk=connector).first()
        if target is None:
            raise CommandError(f"no connector #{connector}")
        account = get_user_model().objects.get(username=user) if user else None
        principal = principal_for_user(account) if account else None
        try:
            with transaction.atomic(), source.open("rb") as handle:
                run = import_run_start(connector=target, principal=principal, file=handle,
                                       file_name=source.name, size=source.stat().st_size,
                                       user=account, dispatch=False)
        except ImportFileError as exc:
            raise CommandError(exc.message) from exc
        run = self._execute(run, no_progress)
        self.stdout.write(f"run #{run.pk}: {run.status} — {run.message}")
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(run.message)

    def _execute(self, run, no_progress: bool):
        bars: dict[str, tqdm] = {}

        def progress(phase: str, done: int, total: int) -> None:
            bar = bars.get(phase)
            if bar is None:
                for other in bars.values():
                    other.close()
                bar = bars[phase] = tqdm(total=total, desc=phase.lower(), unit="dòng",
                                         disable=no_progress or not total)
            bar.update(done - bar.n)

        try:
            return import_run_execute(run=run, progress=progress)
        finally:
            for bar in bars.values():
                bar.close()

