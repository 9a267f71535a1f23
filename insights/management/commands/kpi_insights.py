"""`manage.py kpi_insights [--kpi CODE …] [--no-forecasts]`: recompute the KPIs that need
attention (trend, streak), raise or close their alerts, and refresh the scheduled forecasts,
with a progress bar. The Celery beat task `insights.refresh` does the same every hour."""
from django.core.management.base import BaseCommand, CommandError

from insights.refresh import insights_refresh
from ioc_gis.errors import DomainError


class Command(BaseCommand):
    help = "Tìm chỉ số KPI cần chú ý (xu hướng xấu, nhiều kỳ không đạt), gửi cảnh báo, dự báo."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--kpi", action="append", dest="codes", metavar="CODE",
                            help="chỉ số cần xét (lặp lại được); mặc định: mọi chỉ số đang dùng")
        parser.add_argument("--no-forecasts", action="store_true",
                            help="chỉ tìm chỉ số cần chú ý, không tính dự báo")
        parser.add_argument("--no-progress", action="store_true", help="ẩn thanh tiến độ")

    def handle(self, *args, codes: list[str] | None, no_forecasts: bool, no_progress: bool,
               **options) -> None:
        try:
            report = insights_refresh(codes=codes, forecasts=not no_forecasts,
                                      progress=not no_progress)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"{report.units} đơn vị, {report.series:,} chuỗi: xu hướng xấu "
            f"{report.attention['TREND']:,}, chuỗi kỳ không đạt {report.attention['STREAK']:,}; "
            f"cảnh báo đang mở {report.alerts_open:,} (mới {report.alerts_new:,}, đóng "
            f"{report.alerts_closed:,}); dự báo {report.forecasts_stored:,}/"
            f"{report.forecasts_series:,} chuỗi (thiếu số liệu {report.forecasts_insufficient:,})"
            f"; thời gian {report.seconds} s")
