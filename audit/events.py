"""How an audited model gets its event table: the base event model, the update tracker that keeps
before/after values, and the trigger that makes event tables append-only.

Every event table is written by database triggers (django-pghistory's models and context,
audit.triggers' statement-level SQL), so ORM saves, `QuerySet.update()`, bulk writes and raw SQL
(`INSERT ... ON CONFLICT` in `layers.services.features_upsert`) are all recorded.

Tamper resistance, in layers:
1. The database refuses UPDATE, DELETE and TRUNCATE of event rows (`append_only_guard`), and
   DELETE and TRUNCATE of pghistory's context table, whoever asks and through whatever client;
   `pgtrigger.ignore()` cannot switch the guard off.
2. The who/where context is copied onto each event row, so it is as immutable as the row.
3. A role that owns the tables (today's single app role) can still DISABLE or DROP the
   triggers, or DROP the tables. Production should therefore run the app as a role that owns
   nothing: migrations run as the owner role; the app role gets SELECT, INSERT on the event
   tables and USAGE on audit_event_id_seq, and no UPDATE, DELETE, TRUNCATE or ownership. Ship
   the trail to append-only storage elsewhere (log shipping, WAL archive) for the case where
   the database superuser is the adversary.
"""
import re

import pghistory
import pgtrigger
from django.contrib.gis.db import models as gis_models
from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from pghistory.models import Event

from .expressions import NextEventId, SessionUser
from .triggers import EventTrigger

GUARD_FUNCTION = "audit_refuse_change"


class AuditEvent(Event):
    """Columns every event table has besides the snapshot of the tracked row.

    `pgh_id` comes from one shared sequence (unique across tables, ordered by write time);
    `pgh_context` is the who/where of the write, copied onto the row (so it is as immutable as
    the row); `pgh_diff` is `{column: [before, after]}` on update events; `pgh_db_user` is the
    database role that wrote the row.
    """

    pgh_id = models.BigIntegerField("mã sự kiện", primary_key=True, db_default=NextEventId(),
                                    editable=False)
    pgh_diff = models.JSONField("thay đổi", null=True, editable=False,
                                help_text="Cột → [giá trị trước, giá trị sau]; chỉ có ở sự kiện sửa")
    pgh_db_user = models.TextField("vai trò CSDL", db_default=SessionUser(), editable=False)

    audit_summary: tuple[str, ...] = ()  # snapshot columns that name the object in lists

    class Meta:
        abstract = True


class RefuseChange(pgtrigger.Trigger):
    """BEFORE ... FOR EACH STATEMENT trigger that raises. It executes `audit_refuse_change()`, a
    plain function from migration 0001, not pgtrigger's wrapper, so `pgtrigger.ignore()` and the
    `pgtrigger.ignore` session setting cannot switch it off."""

    level = pgtrigger.Statement
    when = pgtrigger.Before
    func = "RETURN NULL;"  # pgtrigger's own (unused) function body

    def render_execute(self, model) -> str:
        """Run the guard function instead of the ignorable pgtrigger function."""
        return f"{GUARD_FUNCTION}()"


def append_only_guard() -> RefuseChange:
    """The trigger that refuses UPDATE, DELETE and TRUNCATE on an event table."""
    return RefuseChange(name="append_only",
                        operation=pgtrigger.Update | pgtrigger.Delete | pgtrigger.Truncate)


class _StatementTracker:
    """Mixin for pghistory trackers: record through audit.triggers.EventTrigger."""

    def add_event_trigger(self, event_model) -> None:
        """Register the statement-level trigger on the tracked model."""
        pgtrigger.register(EventTrigger(
            name=re.sub("[^0-9a-z]+", "_", self.label.lower()), operation=self.operation,
            event_model=event_model, label=self.label, redact=getattr(self, "redact", ()),
        ))(event_model.pgh_tracked_model)


class InsertEvent(_StatementTracker, pghistory.InsertEvent):
    """Records inserted rows (label "insert")."""


class DeleteEvent(_StatementTracker, pghistory.DeleteEvent):
    """Records deleted rows as they were (label "delete"), and every row of the table when it
    is truncated (label "truncate")."""

    def add_event_trigger(self, event_model) -> None:
        """Register the delete and the truncate triggers."""
        super().add_event_trigger(event_model)
        pgtrigger.register(EventTrigger(
            name="truncate", operation=pgtrigger.Truncate, event_model=event_model,
            label="truncate",
        ))(event_model.pgh_tracked_model)


class UpdateEvent(_StatementTracker, pghistory.UpdateEvent):
    """Records updated rows after the update, with `pgh_diff` = `{column: [before, after]}`.
    Only when a tracked column (not an `auto_now` one) or a redacted column changed; redacted
    columns show as `***` in the diff and are not in the snapshot at all."""

    def __init__(self, label: str = "update", *, redact: tuple[str, ...] = ()):
        super().__init__(label, condition=None)  # the trigger's SQL selects changed rows
        self.redact = tuple(redact)


def _plain_geometry_fields(tracked, exclude) -> dict:
    """Snapshot copies of geometry columns without a spatial index (nobody searches the trail
    by shape, and a GiST index would slow every audited write)."""
    return {
        f.name: type(f)(f.verbose_name, srid=f.srid, null=f.null, blank=f.blank,
                        spatial_index=False)
        for f in tracked._meta.concrete_fields
        if isinstance(f, gis_models.GeometryField) and not f.generated and f.name not in exclude
    }


def audit_event_model(tracked, name: str, *, verbose_name: str, exclude: tuple[str, ...] = (),
                      redact: tuple[str, ...] = (), summary: tuple[str, ...] = (),
                      link: bool = False):
    """Create the event model `audit.<name>` for `tracked` (a proxy declared in audit.models).

    Inserts and deletes are always recorded; updates too unless `link` (a many-to-many link
    row is only ever added or removed). Generated columns are never copied. `exclude` leaves
    columns out of the snapshot; `redact` leaves them out but records that they changed.
    """
    generated = [f.name for f in tracked._meta.concrete_fields if f.generated]
    exclude = tuple(exclude) + tuple(redact) + tuple(generated)
    trackers = [InsertEvent(), DeleteEvent()]
    if not link:
        trackers.insert(1, UpdateEvent(redact=redact))
    return pghistory.create_event_model(
        tracked, *trackers,
        exclude=list(exclude),
        base_model=AuditEvent,
        obj_field=pghistory.ObjForeignKey(related_name="+", related_query_name="+"),
        context_field=pghistory.ContextJSONField(),
        context_id_field=pghistory.ContextUUIDField(),
        append_only=False,  # pgtrigger.Protect is ignorable; append_only_guard() is not
        model_name=name,
        app_label="audit",
        abstract=False,
        attrs={**_plain_geometry_fields(tracked, exclude), "audit_summary": tuple(summary)},
        meta={
            "verbose_name": verbose_name,
            "verbose_name_plural": verbose_name,
            "indexes": [BrinIndex(fields=["pgh_created_at"], name=f"audit_{name.lower()}_at")],
            "triggers": [append_only_guard()],
        },
    )
