"""The audit trail as one queryable list: a `WITH audit_log AS (SELECT ... UNION ALL ...)` over
every event table, prepended to the ORM's query.

Each branch selects the same typed columns (no per-row JSON of the snapshot, no lookup of the
previous event), so PostgreSQL flattens the UNION ALL, pushes filters into each table and
serves `ORDER BY id DESC LIMIT n` from the primary keys with a Merge Append. Event ids come
from one sequence, so id order is write order across all tables.

pghistory's own `Events` aggregate was not used: it builds `row_to_json` of every event and a
correlated "previous event" subquery per row before it can sort or limit, which is a full scan
of all event tables (1.2 M feature events after a full demo load) on every admin page.
"""
from django.apps import apps
from django.db import models
from django.db.models.sql import Query
from django.db.models.sql.compiler import SQLCompiler

from .events import AuditEvent

TABLE = "audit_log"


def event_models() -> list[type[AuditEvent]]:
    """Every concrete audit event model, in a stable order."""
    found = [m for m in apps.get_models() if issubclass(m, AuditEvent)]
    return sorted(found, key=lambda m: m._meta.label)


def tracked_label(event_model: type[AuditEvent]) -> str:
    """Label of the model whose rows the events describe (the real model, not the proxy)."""
    return event_model.pgh_tracked_model._meta.concrete_model._meta.label


def _branch_sql(event_model: type[AuditEvent]) -> str:
    summary = ", ".join(f"'{col}', e.\"{col}\"" for col in event_model.audit_summary)
    return (
        "SELECT e.pgh_id AS id, e.pgh_created_at AS created_at, e.pgh_label AS label, "
        f"'{event_model._meta.label}'::text AS event_model, "
        f"'{tracked_label(event_model)}'::text AS object_model, "
        "e.pgh_obj_id::bigint AS object_id, "
        f"{f'jsonb_build_object({summary})' if summary else 'NULL::jsonb'} AS summary, "
        "e.pgh_diff AS diff, e.pgh_context AS context, e.pgh_context_id AS context_id, "
        "e.pgh_db_user AS db_user "
        f'FROM "{event_model._meta.db_table}" e'
    )


def union_sql() -> str:
    """The UNION ALL of every event table (identifiers come from model metadata only)."""
    return "\nUNION ALL\n".join(_branch_sql(m) for m in event_models())


class _AuditLogCompiler(SQLCompiler):
    def as_sql(self, *args, **kwargs):
        sql, params = super().as_sql(*args, **kwargs)
        return f'WITH "{TABLE}" AS (\n{union_sql()}\n)\n{sql}', params


class _AuditLogQuery(Query):
    def get_compiler(self, *args, **kwargs):
        compiler = super().get_compiler(*args, **kwargs)
        if type(compiler) is SQLCompiler:  # reads only; the model has no table to write to
            compiler.__class__ = _AuditLogCompiler
        return compiler


class AuditLogQuerySet(models.QuerySet):
    """QuerySet over the union of the event tables."""

    def __init__(self, model=None, query=None, using=None, hints=None):
        super().__init__(model, query or _AuditLogQuery(model), using, hints)

    def for_object(self, obj: models.Model) -> "AuditLogQuerySet":
        """Events of one object (any audited model instance)."""
        return self.filter(object_model=obj._meta.concrete_model._meta.label, object_id=obj.pk)
