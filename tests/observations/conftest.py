"""Fixtures for the sensor streams: a point layer of water-level stations (one inside the test
jurisdiction, Sầm Sơn, one outside, TP Thanh Hóa), metrics, a stream onto them, messages, and —
for the tests through the real Mosquitto — the same world committed under a topic prefix of
this test run, removed afterwards."""
import json
import socket
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from layers.models import GeometryKind, Sector
from layers.services import features_upsert
from layers.validation import FeatureInput
from observations.mapping import Message
from observations.models import Metric, SensorStream
from tests.factories import make_layer

INSIDE = (105.9, 19.74)      # Sầm Sơn
OUTSIDE = (105.776, 19.807)  # TP Thanh Hóa
STATION_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1, "x-public": True},
        "keeper_phone": {"type": "string", "x-public": False},
    },
    "required": ["name"],
    "additionalProperties": False,
}
MAPPING = {"station": "id", "time": "ts", "metrics": {"water_level_m": "level",
                                                      "rainfall_mm": "rain"}}
BROKER = ("127.0.0.1", 1883)


def make_metrics(suffix: str = "") -> dict[str, Metric]:
    """Water level (m, −10…200) and rainfall (mm, 0…1000)."""
    level = Metric.objects.get_or_create(code=f"water_level_m{suffix}", defaults={
        "name_vi": "Mực nước", "name_en": "Water level", "unit": "m", "min_value": -10,
        "max_value": 200})[0]
    rain = Metric.objects.get_or_create(code=f"rainfall_mm{suffix}", defaults={
        "name_vi": "Lượng mưa", "name_en": "Rainfall", "unit": "mm", "min_value": 0,
        "max_value": 1000})[0]
    return {"water_level_m": level, "rainfall_mm": rain}


def make_world(*, slug: str, topic_filter: str, is_public: bool = True, suffix: str = ""):
    """A station layer with S1 (inside) and S2 (outside), and an active stream onto it."""
    layer = make_layer(slug=slug, sector=Sector.SECURITY if not is_public else Sector.TRAFFIC,
                       is_public=is_public, geometry_kind=GeometryKind.POINT,
                       property_schema=STATION_SCHEMA, owner_department="Đài KTTV")
    features_upsert(layer=layer, items=[
        FeatureInput("S1", {"type": "Point", "coordinates": list(INSIDE)},
                     {"name": "Trạm Sầm Sơn", "keeper_phone": "0900000000"}),
        FeatureInput("S2", {"type": "Point", "coordinates": list(OUTSIDE)},
                     {"name": "Trạm Thành phố", "keeper_phone": "0900000001"})])
    metrics = make_metrics(suffix)
    mapping = {**MAPPING, "metrics": {f"water_level_m{suffix}": "level",
                                      f"rainfall_mm{suffix}": "rain"}}
    stream = SensorStream.objects.create(
        name=f"Mực nước {slug}", owner_department="Đài KTTV", topic_filter=topic_filter, qos=1,
        mapping=mapping, station_layer=layer, expected_interval=timedelta(minutes=5))
    stream.metrics.set(metrics.values())
    return layer, stream, metrics


@pytest.fixture
def world(db):
    """(layer, stream, metrics) on topic filter `t/+/level`."""
    return make_world(slug="tram-do-nuoc", topic_filter="t/+/level")


def payload(station="S1", ts="2026-01-01T08:00:00+07:00", **values) -> bytes:
    body = {"id": station, "ts": ts, **values}
    return json.dumps({k: v for k, v in body.items() if v is not None}).encode()


def message(raw: bytes, *, topic: str = "t/s1/level", at: datetime | None = None) -> Message:
    return Message(topic, raw, at or datetime(2026, 1, 1, 1, 5, tzinfo=UTC))


# ---- the real broker --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def broker_url() -> str:
    """Mosquitto on 127.0.0.1:1883 (skipped when nothing listens there)."""
    try:
        socket.create_connection(BROKER, timeout=1).close()
    except OSError:
        pytest.skip("no MQTT broker on 127.0.0.1:1883 (apt-get install mosquitto)")
    return f"mqtt://{BROKER[0]}:{BROKER[1]}"


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """A committed world (the subscriber sees committed rows only) under a topic prefix of this
    test: yields (prefix, layer, stream, metrics); everything is removed afterwards."""
    from django.db import connection

    from layers.models import Feature, Layer
    from observations.models import Observation, ObservationLatest

    if not connection.settings_dict["NAME"].startswith("test"):
        pytest.fail("not on the test database: run the module whole")
    tag = uuid.uuid4().hex[:8]
    prefix = f"ioc-test/{tag}"
    with django_db_blocker.unblock():
        layer, stream, metrics = make_world(slug=f"tram-mqtt-{tag}", suffix=f"_{tag}",
                                            topic_filter=f"{prefix}/+/level")
    yield prefix, layer, stream, metrics
    with django_db_blocker.unblock():
        streams = SensorStream.objects.filter(station_layer=layer)
        ObservationLatest.objects.filter(stream__in=streams).delete()
        Observation.objects.filter(stream__in=streams).delete()
        streams.delete()
        Feature.objects.filter(layer=layer).delete()
        Layer.objects.filter(pk=layer.pk).delete()
        Metric.objects.filter(code__endswith=f"_{tag}").delete()


def publish(url: str, messages: list[tuple[str, bytes]], qos: int = 1) -> None:
    """Publish (topic, payload) pairs through the broker and wait until each is sent."""
    import paho.mqtt.client as mqtt

    from observations.subscriber import broker_from_url

    broker = broker_from_url(url)
    client = mqtt.Client(callback_api_version=mqtt.CallbackAPIVersion.VERSION2)
    client.connect(broker.host, broker.port)
    client.loop_start()
    try:
        infos = [client.publish(topic, body, qos=qos) for topic, body in messages]
        for info in infos:
            info.wait_for_publish(timeout=10)
            assert info.is_published()
    finally:
        client.disconnect()
        client.loop_stop()


def wait_until(check, *, seconds: float = 20, blocker=None):
    """Poll `check()` until it returns something truthy (then return it) or the deadline."""
    deadline = time.monotonic() + seconds
    while True:
        if blocker is not None:
            with blocker.unblock():
                value = check()
        else:
            value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)
