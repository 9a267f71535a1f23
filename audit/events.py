"""How an audited model gets its event table: the base event model, the update tracker that keeps
before/after values, and the trigger that makes event tables append-only.

Every event table is written by row-level database triggers (django-pghistory), so ORM saves,
`QuerySet.update()`, bulk writes and raw SQL (`INSERT ... ON CONFLICT` in
`layers.services.features_upsert`) are all recorded. See docs/adr (text in audit/README.md).
"""
import pghistory
import pgtrigger
from django.contrib.gis.db import models as gis_models
from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from pghistory.models import Event
from pghistory.trigger import Event as EventTrigger

from .expressions import NextEventId, SessionUser

REDACTED = "***"
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


def _diff_sql(columns: list[str], redacted: list[str]) -> str:
    """SQL for `{column: [old, new]}` over the columns that changed; redacted ones show ***."""
    parts = []
    for column in columns + redacted:
        values = (f'OLD."{column}", NEW."{column}"' if column in columns
                  else f"'{REDACTED}'::text, '{REDACTED}'::text")
        parts.append(
            f'CASE WHEN OLD."{column}" IS DISTINCT FROM NEW."{column}" '
            f"THEN jsonb_build_object('{column}', jsonb_build_array({values})) "
            "ELSE jsonb_build_object() END")
    return "(" + " || ".join(parts) + ")"


class _DiffEventTrigger(EventTrigger):
    """pghistory's event trigger, also writing `pgh_diff` (row-level update triggers only)."""

    def __init__(self, *, diff_sql: str, **kwargs):
        super().__init__(**kwargs)
        self.diff_sql = diff_sql

    def get_func(self, model):
        func = super().get_func(model)
        head = f'INSERT INTO "{self.event_model._meta.db_table}" ('
        if func.func.count(head) != 1 or func.func.count(") VALUES (") != 1:
            raise RuntimeError("unexpected pghistory trigger SQL; check the pghistory version")
        func.func = (func.func.replace(head, head + '"pgh_diff", ')
                     .replace(") VALUES (", f") VALUES ({self.diff_sql}, "))
        return func


class _StatementEventTrigger(EventTrigger):
    """pghistory's statement-level event trigger (one INSERT ... SELECT FROM the transition
    table per statement), without its call of `_pgh_attach_context()`: our context is copied
    onto the rows, so that upsert into pghistory's context table would be wasted work."""

    _CONTEXT_CTE = "WITH _pgh_attached_context AS ( SELECT _pgh_attach_context() AS value ) "

    def get_func(self, model):
        func = super().get_func(model)
        join = f"AS {self.row.lower()}_values, _pgh_attached_context;"
        if func.func.count(self._CONTEXT_CTE) != 1 or func.func.count(join) != 1:
            raise RuntimeError("unexpected pghistory trigger SQL; check the pghistory version")
        func.func = (func.func.replace(self._CONTEXT_CTE, "")
                     .replace(join, f"AS {self.row.lower()}_values;"))
        return func


class _StatementLevel:
    """Mixin for row events recorded by one statement-level trigger per statement: a bulk
    insert or delete of 50,000 rows runs one INSERT ... SELECT instead of 50,000 functions."""

    level = pgtrigger.Statement

    def add_event_trigger(self, event_model) -> None:
        """Register the statement-level trigger on the tracked model."""
        pgtrigger.register(_StatementEventTrigger(
            event_model=event_model, label=self.label, name=self.trigger_name, row=self.row,
            operation=self.operation, condition=self.condition, level=pgtrigger.Statement,
        ))(event_model.pgh_tracked_model)


class InsertEvent(_StatementLevel, pghistory.InsertEvent):
    """Records the inserted rows (label "insert")."""


class DeleteEvent(_StatementLevel, pghistory.DeleteEvent):
    """Records the deleted rows as they were (label "delete")."""


class DiffUpdateEvent(pghistory.UpdateEvent):
    """An update event that stores the row after the update and, in `pgh_diff`, the before and
    after value of every column that changed. Fires only when a tracked column (not an
    `auto_now` one) or a redacted column changes; redacted columns appear as `***` in the diff
    and are not stored in the snapshot at all."""

    def __init__(self, label: str = "update", *, redact: tuple[str, ...] = ()):
        super().__init__(label)
        self.redact = tuple(redact)

    def setup(self, event_model) -> None:
        """Register the trigger on the tracked model once the event model exists."""
        tracked = event_model.pgh_tracked_model
        fields = diff_fields(event_model)
        redacted = [tracked._meta.get_field(name) for name in self.redact]
        self.condition = pgtrigger.AnyChange(*[f.name for f in fields + redacted])
        pgtrigger.register(_DiffEventTrigger(
            event_model=event_model, label=self.label, name=self.trigger_name, row="NEW",
            operation=pgtrigger.Update, condition=self.condition, level=pgtrigger.Row,
            diff_sql=_diff_sql([f.column for f in fields], [f.column for f in redacted]),
        ))(tracked)


def diff_fields(event_model) -> list[models.Field]:
    """Tracked-model fields an update is judged and diffed on: the snapshot's fields, minus
    `auto_now` timestamps (they change on every save and would make every save an event)."""
    tracked = {f.name: f for f in event_model.pgh_tracked_model._meta.concrete_fields}
    return [tracked[f.name] for f in event_model._meta.concrete_fields
            if f.name in tracked and not getattr(tracked[f.name], "auto_now", False)
            and not tracked[f.name].generated]


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
        trackers.insert(1, DiffUpdateEvent(redact=redact))
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
