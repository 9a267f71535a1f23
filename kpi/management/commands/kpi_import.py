"""`manage.py kpi_import <file.csv|xlsx> [--user NAME]`: import KPI values, all or nothing
(kpi/imports.py). Without --user the import runs with administrator rights (the shell's)."""
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from access.principal import Principal, principal_for_user
from kpi import conf
from kpi.errors import ImportRejected
from kpi.imports import kpi_values_import
from ioc_gis.errors import DomainError

SHELL = Principal(perms=frozenset({"layers.add_feature", "layers.change_feature",
                                   "layers.view_feature"}), province_wide=True)


class Command(BaseCommand):
    help = "Nhập số liệu KPI từ tệp CSV hoặc XLSX (kpi, unit, period, value[, note, generation])."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--user", help="nhập với quyền và phạm vi của tài khoản này")

    def handle(self, *args, path: Path, user: str | None, **options) -> None:
        if not path.is_file():
            raise CommandError(f"Không có tệp {path}.")
        if path.stat().st_size > conf.get("IOC_KPI_IMPORT_MAX_BYTES"):
            raise CommandError(f"Tệp lớn quá {conf.get('IOC_KPI_IMPORT_MAX_BYTES'):,} byte.")
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"Không có tài khoản {user}.")
        principal = principal_for_user(account) if account else SHELL
        try:
            report = kpi_values_import(principal=principal, path=path, file_name=path.name,
                                       user=account)
        except ImportRejected as exc:
            for row in exc.details["rows"]:
                self.stderr.write(f"dòng {row['row']}: {'; '.join(row['errors'])}")
            raise CommandError(exc.message) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        counts = report.counts
        self.stdout.write(self.style.SUCCESS(
            f"Lượt #{report.run.pk}: {report.rows:,} dòng — thêm {counts.inserted:,}, "
            f"cập nhật {counts.updated:,}, không đổi {counts.unchanged:,}."))
