"""The triggers that write event rows: one AFTER ... FOR EACH STATEMENT trigger per operation,
running one `INSERT ... SELECT` from the statement's transition table(s).

Statement level, not pghistory's default row level: a 50,000-row upsert costs one trigger call
instead of 50,000, and row-level AFTER triggers grow slower per row while many deferred
foreign-key checks are pending in the transaction (which is the case in every bulk load).
The update trigger joins the old and new transition tables; it runs as dynamic SQL (EXECUTE) so
it is planned for each statement's row count: PL/pgSQL would otherwise keep the plan made for
the first, often empty, transition tables (a nested loop) and take minutes on 25,000 rows.
Identifiers come from model metadata only.
"""
import pgtrigger
from django.db import models

REDACTED = "***"
CONTEXT_SQL = "NULLIF(CURRENT_SETTING('pghistory.context_metadata', TRUE), '')::jsonb"
CONTEXT_ID_SQL = "NULLIF(CURRENT_SETTING('pghistory.context_id', TRUE), '')::uuid"


def snapshot_fields(event_model) -> list[models.Field]:
    """Tracked-model fields copied into the event row (generated columns never are)."""
    tracked = {f.name: f for f in event_model.pgh_tracked_model._meta.concrete_fields
               if not f.generated}
    return [tracked[f.name] for f in event_model._meta.concrete_fields if f.name in tracked]


def diff_fields(event_model) -> list[models.Field]:
    """Fields an update is judged and diffed on: the snapshot's, minus `auto_now` timestamps
    (they change on every save and would make every save an event)."""
    return [f for f in snapshot_fields(event_model) if not getattr(f, "auto_now", False)]


def _diff_sql(columns: list[str], redacted: list[str]) -> tuple[str, str]:
    """(`{column: [old, new]}` over the changed columns, the condition that any changed)."""
    parts, changed = [], []
    for column in columns + redacted:
        old, new = f'old_values."{column}"', f'new_values."{column}"'
        values = f"{old}, {new}" if column in columns else f"'{REDACTED}'::text, '{REDACTED}'::text"
        changed.append(f"{old} IS DISTINCT FROM {new}")
        parts.append(f"CASE WHEN {changed[-1]} THEN jsonb_build_object('{column}', "
                     f"jsonb_build_array({values})) ELSE jsonb_build_object() END")
    return "(" + " || ".join(parts) + ")", "(" + " OR ".join(changed) + ")"


class EventTrigger(pgtrigger.Trigger):
    """Writes one event row per inserted, updated or deleted row of the tracked table.

    Inserts and updates store the row after the write, deletes the row before it. Updates
    store only rows where a diffed or redacted column changed, with `pgh_diff`; old and new
    rows are paired by primary key, so a row whose key was changed is recorded with every
    column as [null, after]. A TRUNCATE
    (BEFORE, so the rows are still there) stores every row, labelled "truncate". Each row gets
    the pghistory context of the statement (see audit.services.audit_context).
    """

    level = pgtrigger.Statement
    when = pgtrigger.After

    def __init__(self, *, event_model, label: str, redact: tuple[str, ...] = (), **kwargs):
        operation = kwargs["operation"]
        if operation == pgtrigger.Truncate:
            kwargs["when"] = pgtrigger.Before
        else:
            kwargs["referencing"] = pgtrigger.Referencing(
                old="old_values" if operation in (pgtrigger.Update, pgtrigger.Delete) else None,
                new="new_values" if operation in (pgtrigger.Update, pgtrigger.Insert) else None)
        super().__init__(**kwargs)
        self.event_model, self.label, self.redact = event_model, label, tuple(redact)

    def get_func(self, model) -> str:
        """The INSERT ... SELECT that writes the events of one statement."""
        pk = self.event_model.pgh_tracked_model._meta.pk.column
        source = ("new_values" if self.operation in (pgtrigger.Insert, pgtrigger.Update)
                  else "old_values")
        columns = [f.column for f in snapshot_fields(self.event_model)]
        names = columns + ["pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label",
                           "pgh_obj_id"]
        values = [f'{source}."{c}"' for c in columns] + [
            CONTEXT_SQL, CONTEXT_ID_SQL, "NOW()", f"'{self.label}'", f'{source}."{pk}"']
        rows, dynamic = source, False
        if self.operation == pgtrigger.Truncate:
            rows = f'"{self.event_model.pgh_tracked_model._meta.db_table}" AS old_values'
        elif self.operation == pgtrigger.Update:
            tracked = self.event_model.pgh_tracked_model._meta
            diff, changed = _diff_sql([f.column for f in diff_fields(self.event_model)],
                                      [tracked.get_field(n).column for n in self.redact])
            names.append("pgh_diff")
            values.append(diff)
            rows = (f'new_values LEFT JOIN old_values ON old_values."{pk}" = new_values."{pk}" '
                    f"WHERE {changed}")
            dynamic = True
        quoted = ", ".join(f'"{n}"' for n in names)
        sql = (f'INSERT INTO "{self.event_model._meta.db_table}" ({quoted}) '
               f"SELECT {', '.join(values)} FROM {rows}")
        if dynamic:
            sql = f"EXECUTE $audit${sql}$audit$"
        return f"{sql}; RETURN NULL;"
