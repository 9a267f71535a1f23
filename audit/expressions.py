"""SQL defaults of the event tables (kept in their own module so migrations can import them)."""
from django.db import models

EVENT_SEQUENCE = "audit_event_id_seq"


class NextEventId(models.Func):
    """nextval() of the one sequence every event table draws its id from, so an event id is
    unique across the whole audit trail and orders events by the time they were written."""

    template = f"nextval('{EVENT_SEQUENCE}'::regclass)"
    output_field = models.BigIntegerField()


class SessionUser(models.Func):
    """SESSION_USER: the database role that wrote the event (the app's role, or a person's)."""

    template = "SESSION_USER"
    output_field = models.TextField()
