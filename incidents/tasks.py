"""Celery tasks of the incident workflow: thin wrappers, each one service call. Scheduled every
minute by Celery beat (ioc_gis/celery.py); the management commands do the same without Celery."""
from celery import shared_task

from .notifications import notifications_deliver
from .services import incidents_escalate_overdue


@shared_task(name="incidents.escalate_overdue")
def escalate_overdue() -> int:
    """Move overdue incidents up a level; returns how many moved."""
    return incidents_escalate_overdue()


@shared_task(name="incidents.deliver_notifications")
def deliver_notifications() -> dict:
    """Send queued messages to reporters; returns the counts."""
    result = notifications_deliver()
    return {"sent": result.sent, "failed": result.failed, "dropped": result.dropped,
            "pending": result.pending}
