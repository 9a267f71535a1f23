from django.apps import AppConfig


class RastersConfig(AppConfig):
    """Raster layers: GeoTIFF uploads kept as COGs, PNG tiles, zonal statistics per unit."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "rasters"
    verbose_name = "Lớp raster"

    def ready(self) -> None:
        # Registers the Celery task with the app (ioc_gis/celery.py discovers incidents only).
        from . import tasks  # noqa: F401
