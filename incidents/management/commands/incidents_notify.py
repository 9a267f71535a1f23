"""Deliver queued messages to reporters (e-mail through Django's backend; SMS rows wait for a
gateway). Run it every minute like `incidents_escalate`, or through Celery beat."""
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from incidents.notifications import notifications_deliver


class Command(BaseCommand):
    help = "Gửi các thông báo đang chờ tới người phản ánh."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--follow", action="store_true", help="chạy liên tục")
        parser.add_argument("--interval", type=float, default=60.0,
                            help="giây giữa hai lần (mặc định 60)")

    def handle(self, *args, follow: bool, interval: float, **options) -> None:
        try:
            while True:
                result = notifications_deliver()
                if result.sent or result.failed or result.dropped or not follow:
                    self.stdout.write(
                        f"{timezone.localtime():%Y-%m-%d %H:%M:%S} Đã gửi {result.sent:,}, "
                        f"lỗi {result.failed:,}, bỏ {result.dropped:,}; còn chờ "
                        f"{result.pending:,} thông báo.")
                if not follow:
                    return
                time.sleep(interval)
        except KeyboardInterrupt:
            self.stdout.write("Dừng.")
