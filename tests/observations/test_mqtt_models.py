"""The invariants the database keeps for sensor streams: MQTT topic-filter syntax, the mapping's
shape, QoS, metric codes and ranges, finite values, one value per station × metric × instant."""
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from paho.mqtt.client import topic_matches_sub

from observations.admin import SensorStreamAdminForm
from observations.mapping import time_parse
from observations.models import Metric, Observation, SensorStream, mapping_errors

pytestmark = pytest.mark.django_db

GOOD_FILTERS = ["#", "+", "a", "a/b", "a/+/c", "a/#", "+/+/#", "/a", "a//b", "thanhhoa/thuy-van/+",
                "trạm/mực-nước/+"]
BAD_FILTERS = ["", "a/#/b", "a#", "a/b#", "a/+b", "a+/b", "#/a", "$SYS/#", "a/b/c#"]


def _stream(world, **overrides):
    layer, stream, _ = world
    fields = {"name": "x", "owner_department": "y", "topic_filter": "a/+", "qos": 1,
              "mapping": {"station": "id", "time": "ts", "metrics": {"water_level_m": "l"}},
              "station_layer": layer, **overrides}
    with transaction.atomic():
        return SensorStream.objects.create(**fields)


@pytest.mark.parametrize("topic_filter", GOOD_FILTERS)
def test_valid_topic_filters_are_stored(world, topic_filter):
    assert _stream(world, topic_filter=topic_filter).pk


@pytest.mark.parametrize("topic_filter", BAD_FILTERS)
def test_invalid_topic_filters_are_refused_by_the_database(world, topic_filter):
    with pytest.raises(IntegrityError, match="sensorstream_topic_filter"):
        _stream(world, topic_filter=topic_filter)
    stream = SensorStream(topic_filter=topic_filter)
    with pytest.raises(ValidationError) as caught:
        stream.full_clean()
    assert "topic_filter" in caught.value.message_dict


def test_our_filter_syntax_agrees_with_paho_on_what_it_matches():
    assert topic_matches_sub("a/+/c", "a/b/c") and not topic_matches_sub("a/+/c", "a/b/d/c")
    assert topic_matches_sub("a/#", "a/b/c") and topic_matches_sub("a/#", "a")


@pytest.mark.parametrize("mapping", [
    [], "x", {}, {"station": "id"}, {"station": "id", "time": "ts"},
    {"station": "id", "time": "ts", "metric": "m"},
    {"station": "id", "time": "ts", "metrics": {"a": "b"}, "metric": "m", "value": "v"},
])
def test_mappings_without_a_station_time_and_metrics_are_refused(world, mapping):
    with pytest.raises(IntegrityError, match="sensorstream_mapping_shape"):
        _stream(world, mapping=mapping)
    assert mapping_errors(mapping)


def test_mapping_errors_name_what_is_wrong():
    assert mapping_errors({"station": "id", "time": "ts", "metrics": {"water_level_m": "l"}}) == []
    assert mapping_errors({"station": "id", "time": "ts", "metric": "k", "value": "v"}) == []
    assert mapping_errors({"station": "", "time": 3, "metrics": {"Bad-Code": ""}, "x": 1}) == [
        "'station': cần tên trường (chuỗi) trong bản tin.",
        "'time': cần tên trường (chuỗi) trong bản tin.",
        "'Bad-Code' không phải mã đại lượng hợp lệ.", "'Bad-Code': cần tên trường (chuỗi).",
        "Khóa không dùng: x."]


def test_qos_and_interval(world):
    with pytest.raises(IntegrityError, match="sensorstream_qos"):
        _stream(world, qos=3)
    with pytest.raises(IntegrityError, match="sensorstream_interval_positive"):
        _stream(world, expected_interval=timedelta(0))


@pytest.mark.parametrize("code", ["", "A", "water-level", "1abc", "x", "mực_nước", "a b"])
def test_metric_codes_are_lowercase_ascii(code):
    with pytest.raises(IntegrityError, match="metric_code_format"), transaction.atomic():
        Metric.objects.create(code=code, name_vi="Mực nước", name_en="Level", unit="m")


def test_metric_names_unit_and_range():
    with pytest.raises(IntegrityError, match="metric_names_set"), transaction.atomic():
        Metric.objects.create(code="level_m", name_vi="Mực nước", name_en="Level", unit="")
    with pytest.raises(IntegrityError, match="metric_range_ordered"), transaction.atomic():
        Metric.objects.create(code="level_m", name_vi="Mực nước", name_en="Level", unit="m",
                              min_value=5, max_value=5)


def test_one_value_per_station_metric_and_instant(world):
    layer, stream, metrics = world
    station = layer.features.get(external_id="S1")
    at = datetime(2026, 1, 1, tzinfo=UTC)
    fields = {"stream": stream, "station": station, "metric": metrics["water_level_m"],
              "observed_at": at, "received_at": at}
    Observation.objects.create(value=1.0, **fields)
    with pytest.raises(IntegrityError, match="observation_once_per_instant"), \
            transaction.atomic():
        Observation.objects.create(value=2.0, **fields)
    for bad in (float("nan"), float("inf"), float("-inf")):
        with pytest.raises(IntegrityError, match="observation_value_finite"), \
                transaction.atomic():
            Observation.objects.create(value=bad, **{**fields, "observed_at": at.replace(
                minute=1)})


def test_the_admin_form_refuses_metrics_the_stream_does_not_allow(world):
    layer, stream, metrics = world
    data = {"name": "Trạm", "owner_department": "Đài", "topic_filter": "a/+", "qos": 1,
            "payload_format": "JSON", "station_layer": layer.pk, "is_active": True,
            "metrics": [metrics["water_level_m"].pk],
            "mapping": '{"station": "id", "time": "ts", "metrics": {"rainfall_mm": "r"}}'}
    form = SensorStreamAdminForm(data=data)
    assert not form.is_valid()
    assert form.errors["mapping"] == ["'rainfall_mm' chưa có trong danh sách đại lượng được nhận."]
    data["mapping"] = '{"station": "id", "time": "ts", "metrics": {"water_level_m": "r"}}'
    assert SensorStreamAdminForm(data=data).is_valid()


def test_the_station_layer_must_hold_points(world):
    from tests.factories import make_layer

    lines = make_layer(geometry_kind="LINE")
    stream = SensorStream(name="x", owner_department="y", topic_filter="a", qos=0,
                          mapping={"station": "id", "time": "ts", "metrics": {"a_b": "c"}},
                          station_layer=lines)
    with pytest.raises(ValidationError) as caught:
        stream.full_clean()
    assert "Lớp trạm đo phải là lớp điểm" in str(caught.value)


def test_time_parse():
    assert time_parse("2026-01-01T08:00:00Z") == datetime(2026, 1, 1, 8, tzinfo=UTC)
    assert time_parse("2026-01-01T08:00:00") == datetime(2026, 1, 1, 1, tzinfo=UTC)
    assert time_parse(1_767_225_600) == time_parse(1_767_225_600_000)
    for bad in ("", "8h sáng", float("nan"), None, [], "2026-01-01T08:00:00+25:00"):
        with pytest.raises(ValueError):
            time_parse(bad)
