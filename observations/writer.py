"""The SQL of a batch: observations upserted by station × metric × instant (with the latest
table kept by the same statement), stream counters added, rejected messages logged and pruned.
Values go in as bound arrays; no identifier comes from a message."""
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection

from .models import RejectedMessage

# ON CONFLICT … DO UPDATE only when the value differs: a redelivered message writes nothing
# (no dead tuple, no trigger), a corrected value replaces the stored one. The latest table
# moves forward only (a late correction of an old instant does not make it "latest").
_UPSERT_SQL = """
WITH incoming AS (
  SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::smallint[], %s::float8[],
                       %s::timestamptz[], %s::timestamptz[])
         AS t(stream_id, station_id, metric_id, value, observed_at, received_at)
), written AS (
  INSERT INTO observations_observation AS o
         (stream_id, station_id, metric_id, value, observed_at, received_at)
  SELECT stream_id, station_id, metric_id, value, observed_at, received_at FROM incoming
  ON CONFLICT (station_id, metric_id, observed_at) DO UPDATE
     SET value = EXCLUDED.value, stream_id = EXCLUDED.stream_id,
         received_at = EXCLUDED.received_at
   WHERE o.value IS DISTINCT FROM EXCLUDED.value
  RETURNING (xmax = 0) AS inserted, o.stream_id, o.station_id, o.metric_id, o.value,
            o.observed_at, o.received_at
), latest AS (
  INSERT INTO observations_observationlatest AS l
         (station_id, metric_id, stream_id, value, observed_at, received_at)
  SELECT DISTINCT ON (station_id, metric_id)
         station_id, metric_id, stream_id, value, observed_at, received_at
    FROM written ORDER BY station_id, metric_id, observed_at DESC
  ON CONFLICT (station_id, metric_id) DO UPDATE
     SET stream_id = EXCLUDED.stream_id, value = EXCLUDED.value,
         observed_at = EXCLUDED.observed_at, received_at = EXCLUDED.received_at
   WHERE l.observed_at <= EXCLUDED.observed_at
)
SELECT stream_id, count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)
  FROM written GROUP BY stream_id
"""

_STATS_SQL = """
INSERT INTO observations_streamstats AS s
       (stream_id, last_message_at, last_accepted_at, last_observed_at, last_rejected_at,
        messages_accepted, messages_rejected, observations_inserted, observations_updated,
        observations_unchanged)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (stream_id) DO UPDATE SET
  last_message_at = GREATEST(s.last_message_at, EXCLUDED.last_message_at),
  last_accepted_at = GREATEST(s.last_accepted_at, EXCLUDED.last_accepted_at),
  last_observed_at = GREATEST(s.last_observed_at, EXCLUDED.last_observed_at),
  last_rejected_at = GREATEST(s.last_rejected_at, EXCLUDED.last_rejected_at),
  messages_accepted = s.messages_accepted + EXCLUDED.messages_accepted,
  messages_rejected = s.messages_rejected + EXCLUDED.messages_rejected,
  observations_inserted = s.observations_inserted + EXCLUDED.observations_inserted,
  observations_updated = s.observations_updated + EXCLUDED.observations_updated,
  observations_unchanged = s.observations_unchanged + EXCLUDED.observations_unchanged
"""

_PRUNE_SQL = """
DELETE FROM observations_rejectedmessage
 WHERE stream_id = %s AND id <= (SELECT id FROM observations_rejectedmessage WHERE stream_id = %s
                                  ORDER BY id DESC OFFSET %s LIMIT 1)
"""


@dataclass(frozen=True)
class Row:
    """One observation to write."""

    stream_id: int
    station_id: int
    metric_id: int
    value: float
    observed_at: datetime
    received_at: datetime


@dataclass
class StreamCounts:
    """What one batch did for one stream."""

    accepted: int = 0
    rejected: int = 0
    inserted: int = 0
    updated: int = 0
    rows: int = 0
    last_message_at: datetime | None = None
    last_accepted_at: datetime | None = None
    last_observed_at: datetime | None = None
    last_rejected_at: datetime | None = None

    @property
    def unchanged(self) -> int:
        return self.rows - self.inserted - self.updated


@dataclass(frozen=True)
class RejectedRow:
    stream_id: int
    received_at: datetime
    topic: str
    reason: str
    detail: str
    payload: bytes


@dataclass
class Counts:
    per_stream: dict[int, StreamCounts] = field(default_factory=dict)

    def of(self, stream_id: int) -> StreamCounts:
        return self.per_stream.setdefault(stream_id, StreamCounts())


def observations_upsert(rows: list[Row]) -> dict[int, tuple[int, int]]:
    """Write rows (the last of several for one station × metric × instant wins); returns
    {stream id: (inserted, updated)}. Foreign keys are checked now, not at commit, so a bad row
    fails this statement and the caller can tell which batch held it."""
    unique = list({(r.station_id, r.metric_id, r.observed_at): r for r in rows}.values())
    if not unique:
        return {}
    columns = list(zip(*[(r.stream_id, r.station_id, r.metric_id, r.value, r.observed_at,
                          r.received_at) for r in unique], strict=True))
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(_UPSERT_SQL, [list(c) for c in columns])
        return {stream_id: (inserted, updated) for stream_id, inserted, updated in cursor}


def stats_add(counts: Counts) -> None:
    """Add a batch's counts to each stream's running totals (one statement per stream)."""
    with connection.cursor() as cursor:
        for stream_id, c in counts.per_stream.items():
            cursor.execute(_STATS_SQL, [stream_id, c.last_message_at, c.last_accepted_at,
                                        c.last_observed_at, c.last_rejected_at, c.accepted,
                                        c.rejected, c.inserted, c.updated, c.unchanged])


def _text(value: str, limit: int) -> str:
    return value[:limit].replace("\x00", "\ufffd")  # PostgreSQL text cannot hold NUL


def rejections_log(rejected: list[RejectedRow], *, keep: int) -> None:
    """Log rejected messages (the payload's first 2,000 characters) and keep only the newest
    `keep` per stream."""
    if not rejected:
        return
    RejectedMessage.objects.bulk_create([RejectedMessage(
        stream_id=r.stream_id, received_at=r.received_at, topic=_text(r.topic, 1000),
        reason=r.reason, detail=_text(r.detail, 500),
        payload=_text(r.payload[:8000].decode("utf-8", errors="replace"), 2000))
        for r in rejected])
    with connection.cursor() as cursor:
        for stream_id in sorted({r.stream_id for r in rejected}):
            cursor.execute(_PRUNE_SQL, [stream_id, stream_id, keep])
