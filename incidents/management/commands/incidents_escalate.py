"""Move overdue incidents up to the parent level (once each). Run it every minute: from cron,
as `--follow`, or through Celery beat (ioc_gis/celery.py) — see README, "Background work"."""
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from incidents.services import incidents_escalate_overdue


class Command(BaseCommand):
    help = "Chuyển các sự cố quá hạn lên cấp trên (mỗi sự cố một lần)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--follow", action="store_true", help="chạy liên tục")
        parser.add_argument("--interval", type=float, default=60.0,
                            help="giây giữa hai lần (mặc định 60)")

    def handle(self, *args, follow: bool, interval: float, **options) -> None:
        runs = total = 0
        try:
            while True:
                moved = incidents_escalate_overdue()
                runs, total = runs + 1, total + moved
                if moved or not follow:
                    self.stdout.write(f"{timezone.localtime():%Y-%m-%d %H:%M:%S} Đã chuyển "
                                      f"{moved:,} sự cố quá hạn lên cấp trên.")
                if not follow:
                    return
                time.sleep(interval)
        except KeyboardInterrupt:
            self.stdout.write(f"Dừng sau {runs:,} lần kiểm tra; đã chuyển {total:,} sự cố.")
