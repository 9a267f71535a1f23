"""Writes of the observations app: a batch of MQTT messages becomes observations, counters and
rejected-message rows in one transaction.

If the database refuses the batch (a station deleted meanwhile, a value a constraint refuses),
the batch is rolled back whole and written again message by message, each in its own
transaction: the good messages are stored, the refused ones are logged as WRITE_FAILED. A lost
database connection is not a data problem: it propagates, and the subscriber retries the same
batch later (observations/subscriber.py)."""
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import DataError, IntegrityError, transaction

from layers.models import Feature

from . import conf
from .mapping import (Limits, Message, MetricRule, Parsed, Rejection, StreamRoute, message_parse,
                      route_build)
from .models import RejectReason, SensorStream
from .writer import Counts, RejectedRow, Row, observations_upsert, rejections_log, stats_add

logger = logging.getLogger("observations.ingest")


def stream_routes_load() -> list[StreamRoute]:
    """The routes of every active stream (two queries)."""
    streams = (SensorStream.objects.filter(is_active=True).order_by("pk")
               .prefetch_related("metrics"))
    return [route_build(stream_id=s.pk, topic_filter=s.topic_filter, qos=s.qos,
                        layer_id=s.station_layer_id, mapping=s.mapping,
                        metrics=[MetricRule(m.pk, m.code, m.min_value, m.max_value)
                                 for m in s.metrics.all()])
            for s in streams]


def limits_load() -> Limits:
    """The validation limits in force (observations.conf)."""
    return Limits(max_payload_bytes=int(conf.get("IOC_MQTT_MAX_PAYLOAD_BYTES")),
                  future_tolerance=timedelta(
                      seconds=float(conf.get("IOC_MQTT_FUTURE_TOLERANCE_SECONDS"))),
                  max_age=timedelta(days=float(conf.get("IOC_MQTT_MAX_AGE_DAYS"))))


@dataclass
class BatchResult:
    """What one batch did, over every stream."""

    messages: int = 0
    unrouted: int = 0
    accepted: int = 0
    rejected: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    retried_row_by_row: bool = False
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass
class _Accepted:
    route: StreamRoute
    message: Message
    rows: list[Row]


def observations_ingest(*, messages: list[Message], routes: list[StreamRoute],
                        limits: Limits | None = None) -> BatchResult:
    """Validate and write one batch of messages. A message is matched to every stream whose
    topic filter covers its topic; messages no stream covers are counted, not stored."""
    limits = limits or limits_load()
    result = BatchResult(messages=len(messages))
    parsed: list[tuple[StreamRoute, Message, Parsed]] = []
    rejected: list[RejectedRow] = []
    for message in messages:
        matched = [route for route in routes if route.matches(message.topic)]
        result.unrouted += not matched
        for route in matched:
            outcome = message_parse(route, message, limits=limits)
            if isinstance(outcome, Rejection):
                rejected.append(_rejected(route, message, outcome))
            else:
                parsed.append((route, message, outcome))
    accepted = _with_stations(parsed, rejected)
    _write(accepted, rejected, result)
    return result


def _rejected(route: StreamRoute, message: Message, rejection: Rejection) -> RejectedRow:
    return RejectedRow(route.stream_id, message.received_at, message.topic, rejection.reason,
                       rejection.detail, message.payload)


def _with_stations(parsed, rejected: list[RejectedRow]) -> list[_Accepted]:
    """Resolve station external ids to features of each stream's layer (one query per layer);
    messages naming a station the layer lacks are rejected."""
    wanted: dict[int, set[str]] = {}
    for route, _, outcome in parsed:
        wanted.setdefault(route.layer_id, set()).add(outcome.station)
    ids: dict[tuple[int, str], int] = {}
    for layer_id, external_ids in wanted.items():
        for pk, external_id in Feature.objects.filter(
                layer_id=layer_id, external_id__in=external_ids).values_list("pk", "external_id"):
            ids[(layer_id, external_id)] = pk
    accepted = []
    for route, message, outcome in parsed:
        station_id = ids.get((route.layer_id, outcome.station))
        if station_id is None:
            rejected.append(_rejected(route, message, Rejection(RejectReason.UNKNOWN_STATION,
                                                                outcome.station)))
            continue
        accepted.append(_Accepted(route, message, [
            Row(route.stream_id, station_id, r.metric_id, r.value, r.observed_at,
                message.received_at) for r in outcome.readings]))
    return accepted


def _live_streams(accepted: list[_Accepted], rejected: list[RejectedRow]):
    """Drop what belongs to streams deleted since the routes were loaded."""
    ids = {a.route.stream_id for a in accepted} | {r.stream_id for r in rejected}
    live = set(SensorStream.objects.filter(pk__in=ids).values_list("pk", flat=True))
    return ([a for a in accepted if a.route.stream_id in live],
            [r for r in rejected if r.stream_id in live])


def _write(accepted: list[_Accepted], rejected: list[RejectedRow], result: BatchResult) -> None:
    if not accepted and not rejected:
        return
    accepted, rejected = _live_streams(accepted, rejected)
    keep = int(conf.get("IOC_MQTT_REJECTED_KEEP"))
    try:
        with transaction.atomic():
            written = observations_upsert([row for a in accepted for row in a.rows])
            counts = _counts(accepted, rejected, written)
            stats_add(counts)
            rejections_log(rejected, keep=keep)
    except (IntegrityError, DataError) as exc:
        logger.warning("batch of %d messages refused (%s); writing message by message",
                       len(accepted) + len(rejected), exc)
        result.retried_row_by_row = True
        counts = _write_one_by_one(accepted, rejected, keep)
    _tally(result, counts, rejected)


def _write_one_by_one(accepted: list[_Accepted], rejected: list[RejectedRow],
                      keep: int) -> Counts:
    written: dict[int, list[int]] = {}
    stored = []
    for item in accepted:
        try:
            with transaction.atomic():
                for stream_id, (ins, upd) in observations_upsert(item.rows).items():
                    totals = written.setdefault(stream_id, [0, 0])
                    totals[0] += ins
                    totals[1] += upd
            stored.append(item)
        except (IntegrityError, DataError) as exc:
            rejected.append(_rejected(item.route, item.message, Rejection(
                RejectReason.WRITE_FAILED, str(exc).splitlines()[0][:500])))
    with transaction.atomic():
        counts = _counts(stored, rejected, {k: tuple(v) for k, v in written.items()})
        stats_add(counts)
        rejections_log(rejected, keep=keep)
    return counts


def _counts(accepted: list[_Accepted], rejected: list[RejectedRow],
            written: dict[int, tuple[int, int]]) -> Counts:
    counts = Counts()
    for item in accepted:
        c = counts.of(item.route.stream_id)
        at = item.message.received_at
        c.accepted += 1
        c.rows += len(item.rows)
        c.last_message_at = max(filter(None, (c.last_message_at, at)))
        c.last_accepted_at = max(filter(None, (c.last_accepted_at, at)))
        newest = max(row.observed_at for row in item.rows)
        c.last_observed_at = max(filter(None, (c.last_observed_at, newest)))
    for r in rejected:
        c = counts.of(r.stream_id)
        c.rejected += 1
        c.last_message_at = max(filter(None, (c.last_message_at, r.received_at)))
        c.last_rejected_at = max(filter(None, (c.last_rejected_at, r.received_at)))
    for stream_id, (inserted, updated) in written.items():
        c = counts.of(stream_id)
        c.inserted, c.updated = inserted, updated
    return counts


def _tally(result: BatchResult, counts: Counts, rejected: list[RejectedRow]) -> None:
    for c in counts.per_stream.values():
        result.accepted += c.accepted
        result.rejected += c.rejected
        result.inserted += c.inserted
        result.updated += c.updated
        result.unchanged += c.unchanged
    for r in rejected:
        result.reasons[r.reason] = result.reasons.get(r.reason, 0) + 1
