"""Writes of the KPI app: values upserted by (kpi, unit, period) with their provenance run.

Every writer — the file import, the computed refresh, the demo — goes through `values_upsert`:
a row is rewritten only when its value or note changed, so a value keeps the run that really
set it and a second identical import changes nothing."""
import csv
import io
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.utils import timezone

from .models import KpiRun, KpiValue


@dataclass(frozen=True)
class ValueRow:
    """One value to write (ids already resolved and checked)."""

    kpi_id: int
    unit_id: int
    periodicity: str
    period_start: date
    value: float
    note: str = ""


@dataclass
class Counts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    @property
    def written(self) -> int:
        return self.inserted + self.updated


_TABLE = KpiValue._meta.db_table
_INCOMING = """
CREATE TEMP TABLE IF NOT EXISTS kpi_incoming (
    kpi_id bigint, unit_id bigint, periodicity varchar(7), period_start date,
    value double precision, note varchar(300)) ON COMMIT DROP;
CREATE INDEX IF NOT EXISTS kpi_incoming_key ON kpi_incoming (kpi_id, unit_id, period_start);
TRUNCATE kpi_incoming;
"""
_UPDATE = f"""
UPDATE {_TABLE} v
   SET value = i.value, note = i.note, source = %(source)s, run_id = %(run)s,
       recorded_at = %(now)s
  FROM kpi_incoming i
 WHERE v.kpi_id = i.kpi_id AND v.unit_id = i.unit_id AND v.period_start = i.period_start
   AND (v.value, v.note) IS DISTINCT FROM (i.value, i.note)
"""
_INSERT = f"""
INSERT INTO {_TABLE}
       (kpi_id, unit_id, periodicity, period_start, value, note, source, run_id, recorded_at)
SELECT i.kpi_id, i.unit_id, i.periodicity, i.period_start, i.value, i.note, %(source)s,
       %(run)s, %(now)s
  FROM kpi_incoming i
 WHERE NOT EXISTS (SELECT 1 FROM {_TABLE} v WHERE v.kpi_id = i.kpi_id
                      AND v.unit_id = i.unit_id AND v.period_start = i.period_start)
ON CONFLICT (kpi_id, unit_id, period_start) DO NOTHING
"""
_DELETE_MISSING = f"""
DELETE FROM {_TABLE} v
 WHERE v.kpi_id = %(kpi)s AND v.source = %(source)s AND v.period_start >= %(since)s
   AND NOT EXISTS (SELECT 1 FROM kpi_incoming i WHERE i.kpi_id = v.kpi_id
                      AND i.unit_id = v.unit_id AND i.period_start = v.period_start)
"""


def run_start(*, kind: str, user=None, file_name: str = "", computation: str = "",
              kpi=None, since: date | None = None, feed=None) -> KpiRun:
    """Open a provenance run (inside the caller's transaction)."""
    return KpiRun.objects.create(kind=kind, user=user, file_name=file_name[:255],
                                 computation=computation, kpi=kpi, since=since, feed=feed,
                                 started_at=timezone.now())


def run_finish(run: KpiRun, counts: Counts, *, read: int) -> KpiRun:
    """Record what a run did and when it ended."""
    run.rows_read, run.rows_deleted = read, counts.deleted
    run.rows_inserted, run.rows_updated, run.rows_unchanged = (
        counts.inserted, counts.updated, counts.unchanged)
    run.finished_at = timezone.now()
    run.save(update_fields=["rows_read", "rows_deleted", "rows_inserted", "rows_updated",
                            "rows_unchanged", "finished_at"])
    return run


def _load(cursor, rows: list[ValueRow]) -> None:
    """COPY the rows into the session's temporary table `kpi_incoming`."""
    cursor.execute(_INCOMING)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for r in rows:
        writer.writerow((r.kpi_id, r.unit_id, r.periodicity, r.period_start.isoformat(),
                         repr(float(r.value)), r.note))
    buffer.seek(0)
    cursor.cursor.copy_expert(
        "COPY kpi_incoming FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (note))", buffer)
    cursor.execute("ANALYZE kpi_incoming")


def values_upsert(*, rows: list[ValueRow], run: KpiRun | None, source: str,
                  replace: list[tuple[int, date | None]] = ()) -> Counts:
    """Insert or update values by (kpi, unit, period); rows whose value and note are already
    stored are left alone (they keep their provenance). With `replace` = [(kpi id, since)],
    the values of `source` of those KPIs from `since` on (all when None) that the rows do not
    carry are deleted (`Counts.deleted`): what a recomputation no longer produces.

    Rows go through one COPY into a temporary table, then one UPDATE, one INSERT and one
    DELETE per replaced KPI. The rows must not repeat a key (the callers check it). Run it
    inside the caller's transaction."""
    params = {"source": source, "run": run.pk if run else None, "now": timezone.now()}
    with connection.cursor() as cursor:
        _load(cursor, rows)
        cursor.execute(_UPDATE, params)
        updated = cursor.rowcount
        cursor.execute(_INSERT, params)
        inserted = cursor.rowcount
        deleted = 0
        for kpi_id, since in replace:
            cursor.execute(_DELETE_MISSING, {**params, "kpi": kpi_id, "since": since or date.min})
            deleted += cursor.rowcount
    return Counts(inserted, updated, len(rows) - inserted - updated, deleted)
