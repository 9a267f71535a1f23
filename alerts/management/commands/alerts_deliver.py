"""Send the alert mail waiting in the outbox (`--follow` keeps sending every few seconds)."""
import time

from django.core.management.base import BaseCommand

from alerts.services import deliveries_send


class Command(BaseCommand):
    help = "Gửi thư cảnh báo đang chờ"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--follow", action="store_true", help="gửi tiếp mỗi --every giây")
        parser.add_argument("--every", type=float, default=30.0)

    def handle(self, *args, follow: bool, every: float, **options) -> None:
        while True:
            sent, failed = deliveries_send()
            if sent or failed or not follow:
                self.stdout.write(f"đã gửi {sent}, lỗi {failed}")
            if not follow:
                return
            time.sleep(every)
