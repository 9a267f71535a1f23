"""`manage.py kpi_refresh [--kpi CODE …] [--since YYYY-MM-DD]`: recompute computed KPIs from
our own data (kpi/computations.py), with a progress bar. Without --since every period is
recomputed; the Celery beat task `kpi.refresh` looks back IOC_KPI_REFRESH_LOOKBACK_DAYS."""
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from ioc_gis.errors import DomainError
from kpi.refresh import kpis_refresh


class Command(BaseCommand):
    help = "Tính lại các chỉ số KPI tính từ dữ liệu của hệ thống."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--kpi", action="append", dest="codes", metavar="CODE",
                            help="chỉ số cần tính (lặp lại được); mặc định: mọi chỉ số tính toán")
        parser.add_argument("--since", type=date.fromisoformat,
                            help="tính lại từ kỳ chứa ngày này (YYYY-MM-DD); mặc định: toàn bộ")
        parser.add_argument("--no-progress", action="store_true", help="ẩn thanh tiến độ")

    def handle(self, *args, codes: list[str] | None, since: date | None, no_progress: bool,
               **options) -> None:
        try:
            runs = kpis_refresh(codes=codes, since=since, progress=not no_progress)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for run in runs:
            self.stdout.write(
                f"{run.kpi.code if run.kpi else run.computation}: {run.rows_read:,} giá trị — "
                f"thêm {run.rows_inserted:,}, cập nhật {run.rows_updated:,}, không đổi "
                f"{run.rows_unchanged:,}, xóa {run.rows_deleted:,} (lượt #{run.pk})")
