"""`manage.py load_demo [--scale N] [--force]`: build the Thanh Hóa demo province."""
import time

from django.core.management.base import BaseCommand, CommandParser

from demo.incidents import demo_incidents_seed
from demo.kpis import demo_kpis_seed
from demo.loader import demo_load
from demo.rasters import demo_rasters_load
from demo.sensors import demo_sensors_load


class Command(BaseCommand):
    help = "Nạp dữ liệu demo tỉnh Thanh Hóa (đơn vị hành chính hai thế hệ, lớp ngành, sự kiện)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=int, default=1,
                            help="multiply the synthetic event volume (7,200 events at 1; 170 ≈ 1.2 million, of which 1.02 million security incidents)")
        parser.add_argument("--force", action="store_true",
                            help="reload even when this exact dataset is already loaded")
        parser.add_argument("--no-progress", action="store_true", help="hide progress bars")
        parser.add_argument("--no-incidents", action="store_true",
                            help="do not seed the month of demo incidents (seeded only into an "
                                 "empty incident table)")

    def handle(self, *args, scale: int, force: bool, no_progress: bool, no_incidents: bool,
               **options) -> None:
        if scale < 1:
            self.stderr.write("--scale must be 1 or more")
            raise SystemExit(2)
        started = time.monotonic()
        report = demo_load(scale=scale, force=force, progress=not no_progress)
        demo_sensors_load()  # the demo sensor stream and its stations (idempotent)
        seeded = 0 if no_incidents else demo_incidents_seed()
        demo_kpis_seed(progress=not no_progress, full=not report.skipped)  # KPIs (issue 8)
        demo_rasters_load(progress=not no_progress)  # synthetic flood + population rasters
        if seeded:
            self.stdout.write(f"Demo incidents: {seeded} over the last 30 days (synthetic).")
        elapsed = time.monotonic() - started
        counts = ", ".join(f"{k}={v:,}" for k, v in report.counts.items())
        if report.skipped:
            self.stdout.write(f"Demo data already loaded ({counts}); nothing to do "
                              f"[{elapsed:.1f}s]. Use --force to reload.")
            return
        self.stdout.write(self.style.SUCCESS(
            f"Demo loaded in {elapsed:.1f}s: {counts}; units changed {report.units_changed}, "
            f"crosswalk changed {report.crosswalk_changed}, features inserted "
            f"{report.features_inserted:,}, updated {report.features_updated:,}."))
