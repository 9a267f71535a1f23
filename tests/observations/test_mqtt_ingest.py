"""A batch of messages into observations (observations.services.observations_ingest) against
the real PostGIS: mapping, validation with a reason for every refusal, idempotent redelivery,
corrections, the latest table, counters, the bounded rejected log, and what happens when the
database refuses part of a batch."""
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from observations.mapping import MetricRule, route_build
from observations.models import (Observation, ObservationLatest, RejectedMessage, RejectReason,
                                 StreamStats)
from observations.services import observations_ingest, stream_routes_load
from observations.writer import Row, observations_upsert
from tests.observations.conftest import message, payload

pytestmark = pytest.mark.django_db
AT = datetime(2026, 1, 1, 1, 5, tzinfo=UTC)  # received; payload times are 08:00 +07 = 01:00 UTC


def ingest(*raws, topic="t/s1/level"):
    return observations_ingest(messages=[message(r, topic=topic) for r in raws],
                               routes=stream_routes_load())


def test_a_message_becomes_one_observation_per_mapped_metric(world):
    layer, stream, metrics = world
    result = ingest(payload(level=2.35, rain="12.5", other=1))
    assert (result.accepted, result.rejected, result.inserted) == (1, 0, 2)
    rows = {o.metric.code: o for o in Observation.objects.select_related("metric", "station")}
    assert rows["water_level_m"].value == 2.35 and rows["rainfall_mm"].value == 12.5
    level = rows["water_level_m"]
    assert level.station.external_id == "S1" and level.stream == stream
    assert level.observed_at == datetime(2026, 1, 1, 1, 0, tzinfo=UTC)
    assert level.received_at == AT
    stats = StreamStats.objects.get(stream=stream)
    assert (stats.messages_accepted, stats.messages_rejected, stats.observations_inserted) == (
        1, 0, 2)
    assert stats.last_message_at == stats.last_accepted_at == AT
    assert stats.last_observed_at == level.observed_at and stats.last_rejected_at is None


def test_redelivery_changes_nothing_and_a_correction_replaces_the_value(world):
    first = ingest(payload(level=2.35))
    again = ingest(payload(level=2.35), payload(level=2.35))
    assert (first.inserted, again.inserted, again.updated, again.unchanged) == (1, 0, 0, 2)
    stored = Observation.objects.get()
    corrected = ingest(payload(level=2.40))
    assert (corrected.inserted, corrected.updated) == (0, 1)
    row = Observation.objects.get()
    assert row.pk == stored.pk and row.value == 2.40
    assert ObservationLatest.objects.get().value == 2.40
    stats = StreamStats.objects.get()
    assert (stats.messages_accepted, stats.observations_inserted, stats.observations_updated,
            stats.observations_unchanged) == (4, 1, 1, 2)


def test_the_latest_table_only_moves_forward(world):
    ingest(payload(ts="2026-01-01T08:00:00+07:00", level=2.0),
           payload(ts="2026-01-01T07:00:00+07:00", level=1.0))
    latest = ObservationLatest.objects.get()
    assert (latest.value, latest.observed_at.hour) == (2.0, 1)
    ingest(payload(ts="2026-01-01T07:00:00+07:00", level=1.5))  # a late correction
    assert ObservationLatest.objects.get().value == 2.0
    ingest(payload(ts="2026-01-01T08:04:00+07:00", level=3.0))
    assert ObservationLatest.objects.get().value == 3.0
    assert Observation.objects.count() == 3


def test_times_epoch_seconds_milliseconds_and_naive_local(world):
    epoch = int(datetime(2026, 1, 1, 0, 30, tzinfo=UTC).timestamp())
    ingest(payload(ts=epoch, level=1), payload(ts=epoch * 1000 + 60_000, level=2),
           payload(ts="2026-01-01 07:45:00", level=3))  # naive: Vietnam time
    times = sorted(Observation.objects.values_list("observed_at", flat=True))
    assert times == [datetime(2026, 1, 1, 0, 30, tzinfo=UTC),
                     datetime(2026, 1, 1, 0, 31, tzinfo=UTC),
                     datetime(2026, 1, 1, 0, 45, tzinfo=UTC)]


BAD = [  # (raw payload, reason)
    (b"not json", RejectReason.INVALID_JSON),
    (b"\xff\xfe{}", RejectReason.INVALID_JSON),
    (b"[1, 2]", RejectReason.INVALID_JSON),
    (b"[" * 100_000, RejectReason.PAYLOAD_TOO_LARGE),
    (b"[" * 5_000 + b"]" * 5_000, RejectReason.INVALID_JSON),  # deeper than Python recurses
    (payload(station=None, level=1), RejectReason.STATION_MISSING),
    (payload(station="", level=1), RejectReason.STATION_MISSING),
    (payload(station=True, level=1), RejectReason.STATION_MISSING),
    (payload(station="S9", level=1), RejectReason.UNKNOWN_STATION),
    (payload(ts=None, level=1), RejectReason.TIME_MISSING),
    (payload(ts="hôm qua", level=1), RejectReason.TIME_INVALID),
    (payload(ts="2026-13-45T99:00:00", level=1), RejectReason.TIME_INVALID),
    (payload(ts=True, level=1), RejectReason.TIME_INVALID),
    (payload(ts="2026-01-01T09:00:00+07:00", level=1), RejectReason.TIME_IN_FUTURE),
    (payload(ts=0, level=1), RejectReason.TIME_TOO_OLD),
    (payload(other=1), RejectReason.METRIC_NOT_MAPPED),
    (b'{"id": "S1", "ts": "2026-01-01T08:00:00+07:00", "level": null}',
     RejectReason.METRIC_NOT_MAPPED),  # null: no reading
    (payload(level="cao"), RejectReason.VALUE_NOT_NUMBER),
    (payload(level="NaN"), RejectReason.VALUE_NOT_NUMBER),
    (payload(level=True), RejectReason.VALUE_NOT_NUMBER),
    (payload(level=[1]), RejectReason.VALUE_NOT_NUMBER),
    (payload(level=2.0, rain="x"), RejectReason.VALUE_NOT_NUMBER),  # one bad value: all out
    (payload(level=1e6), RejectReason.VALUE_OUT_OF_RANGE),
    (payload(rain=-1), RejectReason.VALUE_OUT_OF_RANGE),
]


@pytest.mark.parametrize("raw, reason", BAD, ids=[f"{i}-{r}" for i, (_, r) in enumerate(BAD)])
def test_a_bad_message_is_rejected_with_its_reason_and_writes_nothing(world, raw, reason):
    _, stream, _ = world
    result = ingest(raw)
    assert (result.accepted, result.rejected, result.reasons) == (0, 1, {reason: 1})
    assert not Observation.objects.exists() and not ObservationLatest.objects.exists()
    logged = RejectedMessage.objects.get()
    assert (logged.stream, logged.reason, logged.topic, logged.received_at) == (
        stream, reason, "t/s1/level", AT)
    assert logged.payload == raw[:2000].decode("utf-8", errors="replace")[:2000]
    stats = StreamStats.objects.get(stream=stream)
    assert (stats.messages_accepted, stats.messages_rejected) == (0, 1)
    assert stats.last_rejected_at == stats.last_message_at == AT
    assert stats.last_accepted_at is None


def test_bad_messages_do_not_hold_back_the_good_ones_of_their_batch(world):
    result = ingest(payload(level=1.0), b"{", payload(station="S9", level=1),
                    payload(station="S2", level=2.0))
    assert (result.accepted, result.rejected, result.inserted) == (2, 2, 2)
    assert sorted(Observation.objects.values_list("station__external_id", flat=True)) == [
        "S1", "S2"]


def test_a_payload_naming_its_metric(world):
    layer, stream, metrics = world
    stream.mapping = {"station": "data.station", "time": "data.at", "metric": "kind",
                      "value": "data.v"}
    stream.save()
    raw = {"kind": "rainfall_mm", "data": {"station": "S1", "at": "2026-01-01T08:00:00+07:00",
                                           "v": 7}}
    unknown = {**raw, "kind": "wind_speed"}
    result = ingest(json.dumps(raw).encode(), json.dumps(unknown).encode())
    assert (result.accepted, result.reasons) == (1, {RejectReason.METRIC_NOT_MAPPED: 1})
    assert Observation.objects.get().metric == metrics["rainfall_mm"]


def test_only_matching_active_streams_take_a_message(world):
    _, stream, _ = world
    assert ingest(payload(level=1), topic="t/s1/other").unrouted == 1
    assert ingest(payload(level=1), topic="t/a/b/level").unrouted == 1  # + is one level
    stream.is_active = False
    stream.save()
    assert ingest(payload(level=1)).unrouted == 1
    assert not Observation.objects.exists() and not RejectedMessage.objects.exists()


def test_a_metric_mapped_but_not_allowed_is_left_out(world):
    _, stream, metrics = world
    stream.metrics.set([metrics["water_level_m"]])
    result = ingest(payload(level=1, rain=2))
    assert (result.accepted, result.inserted) == (1, 1)
    assert Observation.objects.get().metric == metrics["water_level_m"]


def test_the_rejected_log_keeps_the_newest_per_stream(world, settings):
    settings.IOC_MQTT_REJECTED_KEEP = 5
    _, stream, _ = world
    ingest(*[f"bad {i}".encode() for i in range(8)])
    ingest(b"bad 8")
    assert list(RejectedMessage.objects.filter(stream=stream).values_list(
        "payload", flat=True)) == [f"bad {i}" for i in (8, 7, 6, 5, 4)]
    assert StreamStats.objects.get(stream=stream).messages_rejected == 9


def test_nul_bytes_and_long_text_fit_the_log(world):
    ingest(b'{"id": "S1", "x": "\x00' + b"a" * 5000 + b'"}')
    logged = RejectedMessage.objects.get()
    assert "\x00" not in logged.payload and len(logged.payload) == 2000


# ---- when the database refuses part of a batch -------------------------------------------------

def test_a_refused_batch_is_rolled_back_then_written_message_by_message(world):
    """The second route points at a metric the database does not have (as a route loaded just
    before its metric was removed would): its rows violate a foreign key. The batch is rolled
    back whole, then each message is written on its own: the good ones are stored exactly once,
    the refused one is logged as WRITE_FAILED, and the counters add up."""
    layer, stream, metrics = world
    good = stream_routes_load()[0]
    stale = route_build(stream_id=stream.pk, topic_filter="x/#", qos=1, layer_id=layer.pk,
                        mapping={"station": "id", "time": "ts", "metrics": {"gone_m": "level"}},
                        metrics=[MetricRule(32_000, "gone_m")])
    batch = [message(payload(level=1.0)), message(payload(level=9.0), topic="x/1"),
             message(payload(station="S2", level=2.0))]
    result = observations_ingest(messages=batch, routes=[good, stale])
    assert result.retried_row_by_row
    assert (result.accepted, result.rejected, result.inserted) == (2, 1, 2)
    assert result.reasons == {RejectReason.WRITE_FAILED: 1}
    assert sorted(Observation.objects.values_list("value", flat=True)) == [1.0, 2.0]
    failed = RejectedMessage.objects.get()
    assert (failed.topic, failed.reason) == ("x/1", RejectReason.WRITE_FAILED)
    assert "foreign key" in failed.detail
    stats = StreamStats.objects.get(stream=stream)
    assert (stats.messages_accepted, stats.messages_rejected, stats.observations_inserted) == (
        2, 1, 2)


def test_one_statement_writes_all_of_a_batch_or_none_of_it(world):
    layer, stream, metrics = world
    station = layer.features.get(external_id="S1")
    at = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [Row(stream.pk, station.pk, metrics["water_level_m"].pk, float(i),
                at + timedelta(minutes=i), at) for i in range(3)]
    rows.append(Row(stream.pk, station.pk, metrics["rainfall_mm"].pk, float("inf"), at, at))
    with pytest.raises(IntegrityError, match="observation_value_finite"):
        with transaction.atomic():
            observations_upsert(rows)
    assert not Observation.objects.exists() and not ObservationLatest.objects.exists()
    assert observations_upsert(rows[:3]) == {stream.pk: (3, 0)}


def test_duplicates_inside_one_batch_keep_the_last(world):
    result = ingest(payload(level=1.0), payload(level=1.5))
    assert (result.accepted, result.inserted, result.unchanged) == (2, 1, 1)
    assert Observation.objects.get().value == 1.5
