"""`manage.py demo_pulse --every 30`: the demo's heartbeat (demo/pulse.py) until stopped."""
import time

from django.core.management.base import BaseCommand, CommandParser

from demo.pulse import pulse_beat, pulse_start


class Command(BaseCommand):
    help = ("Mô phỏng hoạt động cho bản demo: cứ mỗi khoảng thời gian có một phản ánh mới và một "
            "sự cố được xử lý thêm một bước.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=30.0, help="seconds between beats")
        parser.add_argument("--beats", type=int, default=0, help="stop after N beats (0: never)")
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, every: float, beats: int, seed: int | None, **options) -> None:
        if every < 1:
            self.stderr.write("--every must be at least 1 second")
            raise SystemExit(2)
        pulse = pulse_start(seed=seed)
        done = 0
        while not beats or done < beats:
            created, moved = pulse_beat(pulse)
            done += 1
            self.stdout.write(f"{created.public_id} mới ({created.category.code})"
                              + (f"; {moved.public_id} → {moved.status}" if moved else ""))
            if not beats or done < beats:
                time.sleep(every)
