"""Sending alert mail from the outbox (Celery beat, ioc_gis/celery.py)."""
from celery import shared_task


@shared_task(name="alerts.deliver")
def alerts_deliver_task() -> int:
    """Send pending alert mail; how many were sent."""
    from .services import deliveries_send

    return deliveries_send()[0]
