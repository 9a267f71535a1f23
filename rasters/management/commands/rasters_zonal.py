"""(Re)compute zonal statistics: every raster and measure, or the rasters named."""
from django.core.management.base import BaseCommand, CommandError

from layers.stats import GENERATIONS
from rasters.models import RasterLayer
from rasters.zonal_runs import raster_zonal_compute

from ._progress import progress_bars


class Command(BaseCommand):
    help = "Tính lại thống kê raster theo đơn vị hành chính (cả hai thế hệ đơn vị)."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="raster slugs (default: all)")
        parser.add_argument("--generation", choices=GENERATIONS, action="append",
                            help="only this generation (repeatable; default: both)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, slugs: list[str], generation: list[str] | None, no_progress: bool,
               **options):
        rasters = RasterLayer.objects.order_by("slug")
        if slugs:
            rasters = rasters.filter(slug__in=slugs)
            missing = sorted(set(slugs) - set(rasters.values_list("slug", flat=True)))
            if missing:
                raise CommandError(f"no raster layer {', '.join(missing)}")
        with progress_bars(no_progress) as progress:
            for raster in rasters:
                rows = raster_zonal_compute(raster=raster, generations=generation or GENERATIONS,
                                            progress=progress)
                self.stdout.write(f"{raster.slug}: {rows:,} dòng")
