"""Zonal statistics off the request path. With a broker (REDIS_URL) the Celery task runs in a
`celery worker` (`celery -A ioc_gis.celery worker`); without one Celery runs it where it is
called — after the upload's commit, in that process — as for every task here (README
"Background work"). `manage.py rasters_zonal` recomputes on demand either way."""
from celery import shared_task

from ioc_gis.celery import app as celery_app  # the project's app (broker from REDIS_URL)


@shared_task(name="rasters.zonal_compute")
def zonal_compute_task(raster_id: int) -> str:
    """Compute one raster's zonal statistics and measures; its final status."""
    from .models import RasterLayer
    from .zonal_runs import raster_zonal_compute

    raster = RasterLayer.objects.filter(pk=raster_id).first()
    if raster is None:
        return "missing"  # deleted before the worker got to it
    raster_zonal_compute(raster=raster)
    return "done"


def zonal_dispatch(raster_id: int) -> None:
    """Hand a committed raster's statistics to whoever will compute them."""
    celery_app.tasks[zonal_compute_task.name].apply_async(args=[raster_id])
