"""The periodic health check of the data sources (Celery beat, ioc_gis/celery.py)."""
from celery import shared_task


@shared_task(name="sources.check")
def sources_check_task() -> int:
    """Check every source; how many were checked."""
    from .services import sources_check

    return len(sources_check())
