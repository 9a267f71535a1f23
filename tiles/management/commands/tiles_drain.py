"""Invalidate cached tiles for changes queued by the database (writes made outside Django,
e.g. psql or another service). `--follow` keeps draining every few seconds."""
import time

from django.core.management.base import BaseCommand

from tiles.maintenance import dirty_drain


class Command(BaseCommand):
    help = "Xóa khỏi bộ đệm các tile bị thay đổi dữ liệu (hàng đợi tiles_dirtyregion)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--follow", action="store_true", help="chạy liên tục")
        parser.add_argument("--interval", type=float, default=2.0, help="giây giữa hai lần")

    def handle(self, *args, follow: bool, interval: float, **options) -> None:
        while True:
            handled = dirty_drain()
            if handled or not follow:
                self.stdout.write(f"Đã xử lý {handled:,} vùng thay đổi.")
            if not follow:
                return
            time.sleep(interval)
