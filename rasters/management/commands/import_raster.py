"""Import a GeoTIFF as a raster layer in this process — the service the upload API and the
admin use — then compute its zonal statistics with a progress bar."""
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from access.principal import principal_for_user
from ioc_gis.errors import DomainError
from layers.models import Sector
from rasters.files import name_check
from rasters.models import RampModeChoice, ValueKind
from rasters.ramps import RAMPS
from rasters.services import RasterInput, raster_create
from rasters.zonal_runs import raster_zonal_compute

from ._progress import progress_bars


def _stops(text: str) -> list[float]:
    try:
        return [float(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise CommandError(f"--stops: {exc}") from exc


class Command(BaseCommand):
    help = "Nạp một tệp GeoTIFF thành lớp raster (lưu COG) và tính thống kê theo đơn vị."

    def add_arguments(self, parser):
        parser.add_argument("path", help="a local GeoTIFF (one band, with a CRS)")
        parser.add_argument("--slug", required=True)
        parser.add_argument("--title-vi", required=True)
        parser.add_argument("--title-en", required=True)
        parser.add_argument("--sector", required=True, choices=Sector.values)
        parser.add_argument("--value-kind", required=True, choices=ValueKind.values)
        parser.add_argument("--value-description", required=True,
                            help="what a cell's value means (Vietnamese)")
        parser.add_argument("--value-unit", default="")
        parser.add_argument("--ramp", required=True, choices=sorted(RAMPS))
        parser.add_argument("--stops", required=True, help="comma-separated, ascending")
        parser.add_argument("--ramp-mode", default=RampModeChoice.LINEAR,
                            choices=RampModeChoice.values)
        parser.add_argument("--nodata", type=float)
        parser.add_argument("--public", action="store_true")
        parser.add_argument("--owner-department", required=True)
        parser.add_argument("--attribution", default="")
        parser.add_argument("--description", default="")
        parser.add_argument("--user", help="act as this user (rights apply); default: the system")
        parser.add_argument("--no-zonal", action="store_true",
                            help="skip zonal statistics (run rasters_zonal later)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, path: str, **options):
        try:
            name_check(path)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"{path}: not a regular file")
        account = get_user_model().objects.get(username=options["user"]) \
            if options["user"] else None
        meta = RasterInput(
            slug=options["slug"], title_vi=options["title_vi"], title_en=options["title_en"],
            sector=options["sector"], value_kind=options["value_kind"],
            value_description_vi=options["value_description"], value_unit=options["value_unit"],
            ramp=options["ramp"], ramp_stops=_stops(options["stops"]),
            ramp_mode=options["ramp_mode"], nodata=options["nodata"],
            is_public=options["public"], owner_department=options["owner_department"],
            attribution=options["attribution"], description_vi=options["description"])
        try:
            with transaction.atomic(), source.open("rb") as handle:
                raster = raster_create(
                    principal=principal_for_user(account) if account else None, meta=meta,
                    file=handle, file_name=source.name, size=source.stat().st_size,
                    user=account, dispatch=False)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{raster.slug}: {raster.width} × {raster.height} ô, {raster.crs}, "
                          f"{raster.valid_cells:,} ô có dữ liệu → {raster.file_name}")
        if not options["no_zonal"]:
            with progress_bars(options["no_progress"]) as progress:
                rows = raster_zonal_compute(raster=raster, progress=progress)
            self.stdout.write(f"thống kê theo đơn vị: {rows:,} dòng")
