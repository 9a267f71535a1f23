"""Reads of the audit trail."""
from django.apps import apps
from django.db import models

from .log import AuditLogQuerySet
from .models import AuditLog


def audit_log() -> AuditLogQuerySet:
    """Every event of every audited model, newest first."""
    return AuditLog.objects.all()


def object_history(obj: models.Model) -> AuditLogQuerySet:
    """The events of one audited object (insert, updates, delete), oldest first."""
    return AuditLog.objects.for_object(obj).order_by("id")


def event_snapshot(entry: AuditLog) -> dict:
    """The row as the event recorded it: after the write for inserts and updates, before it for
    deletes. Keys are column names; excluded and redacted columns are absent."""
    event_model = apps.get_model(entry.event_model)
    names = [f.attname for f in event_model._meta.concrete_fields
             if not f.name.startswith("pgh_")]
    return event_model.objects.filter(pgh_id=entry.id).values(*names).first() or {}
