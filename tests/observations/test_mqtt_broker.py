"""MQTT messages through the real Mosquitto on 127.0.0.1:1883 into observations: the subscriber
in a thread of this process and as the `mqtt_subscribe` command (SIGTERM, an unreachable
broker), batches, redelivery, reloading streams, and the demo's synthetic publisher. Every
test uses a topic prefix of its own; the database is polled with a deadline."""
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.incidents.test_escalation_worker import _database_url
from tests.observations.conftest import payload, publish, wait_until

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@contextmanager
def subscriber_running(url: str, blocker):
    """The subscriber in a thread (its own database connection), stopped on exit. pytest-django
    blocks database access process-wide, so it is unblocked while the thread runs."""
    from observations.subscriber import Subscriber, broker_from_url

    subscriber, stop, errors = Subscriber(broker_from_url(url)), threading.Event(), []

    def run() -> None:
        try:
            subscriber.run(stop=stop)
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)

    with blocker.unblock():
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        try:
            yield subscriber
        finally:
            stop.set()
            thread.join(30)
    assert not thread.is_alive() and errors == []


def _ready(subscriber, topic_filter: str) -> None:
    assert wait_until(lambda: subscriber.is_subscribed(topic_filter)), "no SUBACK"


def _now_ts(minutes_ago: float = 0) -> str:
    return (timezone.now() - timedelta(minutes=minutes_ago)).replace(microsecond=0).isoformat()


def _count(**filters):
    from observations.models import Observation

    return Observation.objects.filter(**filters).count()


def test_messages_through_mosquitto_become_observations(broker_url, committed, django_db_blocker):
    from observations.models import Observation, RejectedMessage, StreamStats

    prefix, layer, stream, metrics = committed
    level, rain = (f"water_level_m_{prefix[-8:]}", f"rainfall_mm_{prefix[-8:]}")
    ts = _now_ts(10)
    good = [(f"{prefix}/s1/level", payload("S1", ts, level=2.35, rain=0.5)),
            (f"{prefix}/s2/level", payload("S2", ts, level=1.1))]
    with subscriber_running(broker_url, django_db_blocker) as subscriber:
        _ready(subscriber, stream.topic_filter)
        publish(broker_url, good + [(f"{prefix}/s9/level", payload("S9", ts, level=1.0)),
                                    (f"{prefix}/s1/level", b"{not json")])
        assert wait_until(lambda: _count(stream=stream) == 3
                          and RejectedMessage.objects.filter(stream=stream).count() == 2,
                          blocker=django_db_blocker)
        with django_db_blocker.unblock():
            stored = {(o.station.external_id, o.metric.code): o.value for o in
                      Observation.objects.filter(stream=stream).select_related("station",
                                                                               "metric")}
            reasons = sorted(RejectedMessage.objects.filter(stream=stream)
                             .values_list("reason", flat=True))
        assert stored == {("S1", level): 2.35, ("S1", rain): 0.5, ("S2", level): 1.1}
        assert reasons == ["INVALID_JSON", "UNKNOWN_STATION"]

        publish(broker_url, good)  # redelivered: nothing changes but the message counts
        assert wait_until(lambda: StreamStats.objects.get(stream=stream).messages_accepted == 4,
                          blocker=django_db_blocker)
    with django_db_blocker.unblock():
        stats = StreamStats.objects.get(stream=stream)
        assert _count(stream=stream) == 3
        assert (stats.observations_inserted, stats.observations_updated,
                stats.observations_unchanged, stats.messages_rejected) == (3, 0, 3, 2)
        assert stats.last_accepted_at is not None and stats.last_observed_at is not None


def test_a_burst_is_written_in_batches(broker_url, committed, django_db_blocker, settings):
    # The burst stays under what any broker keeps for a lagging client (Mosquitto's default
    # max_queued_messages is 1,000; beyond it the broker drops QoS 1 messages, whatever we do),
    # so a slow machine can delay the writes but never lose any. The batch size is lowered to
    # keep several batches in it.
    settings.IOC_MQTT_BATCH_SIZE = 100
    prefix, layer, stream, metrics = committed
    start = timezone.now() - timedelta(days=2)
    burst = [(f"{prefix}/s1/level",
              payload("S1", (start + timedelta(seconds=i)).isoformat(), level=i % 50))
             for i in range(600)]
    with subscriber_running(broker_url, django_db_blocker) as subscriber:
        _ready(subscriber, stream.topic_filter)
        publish(broker_url, burst)
        written = wait_until(lambda: _count(stream=stream) == 600, seconds=60,
                             blocker=django_db_blocker)
        assert written, f"wrote {subscriber.totals.messages} of 600 messages: {subscriber.totals}"
    assert subscriber.totals.inserted == 600 and subscriber.totals.accepted == 600
    assert subscriber.totals.batches >= 6  # at most 100 messages a batch


def test_streams_added_or_switched_off_are_followed(broker_url, committed, django_db_blocker,
                                                    settings):
    from observations.models import SensorStream

    settings.IOC_MQTT_RELOAD_SECONDS = 0.3
    prefix, layer, stream, metrics = committed
    ts = _now_ts(5)
    with subscriber_running(broker_url, django_db_blocker) as subscriber:
        _ready(subscriber, stream.topic_filter)
        with django_db_blocker.unblock():
            second = SensorStream.objects.create(
                name="Thứ hai", owner_department="Đài", topic_filter=f"{prefix}/hai/+", qos=0,
                mapping={"station": "id", "time": "ts", "metric": "m", "value": "v"},
                station_layer=layer)
            second.metrics.set(metrics.values())
        _ready(subscriber, second.topic_filter)
        publish(broker_url, [(f"{prefix}/hai/x", payload(
            "S2", ts, m=metrics["water_level_m"].code, v=4.0))])
        assert wait_until(lambda: _count(stream=second) == 1, blocker=django_db_blocker)

        with django_db_blocker.unblock():
            SensorStream.objects.filter(pk=stream.pk).update(is_active=False)
        assert wait_until(lambda: not subscriber.is_subscribed(stream.topic_filter))
        publish(broker_url, [(f"{prefix}/s1/level", payload("S1", ts, level=9.0)),
                             (f"{prefix}/hai/x", payload("S1", ts, m=metrics["rainfall_mm"].code,
                                                          v=1.0))])
        assert wait_until(lambda: _count(stream=second) == 2, blocker=django_db_blocker)
    with django_db_blocker.unblock():
        assert _count(stream=stream) == 0


# ---- the management command in its own process -------------------------------------------------

def _env(**extra) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ioc_gis.settings.test",
           "DATABASE_URL": _database_url(), "LOG_LEVEL": "INFO", **extra}
    env.pop("IOC_TEST_DB_NAME", None)
    return env


class Output:
    """Collects a process's output lines as they come."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process) -> None:
        for line in process.stdout:
            self.lines.append(line)

    def has(self, text: str) -> bool:
        return any(text in line for line in self.lines)

    @property
    def text(self) -> str:
        self._thread.join(10)
        return "".join(self.lines)


def _command(*args, **env) -> tuple[subprocess.Popen, Output]:
    process = subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=_env(**env),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return process, Output(process)


@pytest.mark.django_db  # first of its kind: makes pytest-django set the test database up
def test_the_command_refuses_a_missing_broker_url():
    process, output = _command("mqtt_subscribe", "--once-for", "1", IOC_MQTT_URL="")
    assert process.wait(60) == 1
    assert "IOC_MQTT_URL" in output.text and "Traceback" not in output.text


def test_the_command_subscribes_writes_and_stops_on_sigterm(broker_url, committed,
                                                            django_db_blocker):
    prefix, layer, stream, metrics = committed
    process, output = _command("mqtt_subscribe", IOC_MQTT_URL=broker_url)
    try:
        assert wait_until(lambda: output.has(stream.topic_filter) and output.has("subscribed:"),
                          seconds=60), output.text
        publish(broker_url, [(f"{prefix}/s1/level", payload("S1", _now_ts(1), level=3.3))])
        assert wait_until(lambda: _count(stream=stream) == 1, blocker=django_db_blocker)
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(30)
    assert code == 0, output.text
    assert "stopped: 1 messages" in output.text and "1 accepted" in output.text
    assert "Traceback" not in output.text


def test_without_a_reachable_broker_the_command_retries_and_ends_cleanly(django_db_setup,
                                                                         broker_url):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    process, output = _command("mqtt_subscribe", "--once-for", "3",
                               IOC_MQTT_URL=f"mqtt://127.0.0.1:{port}")
    assert process.wait(60) == 0, output.text
    assert time.monotonic() - started >= 3
    assert "cannot reach the broker" in output.text and "Traceback" not in output.text
    assert "stopped: 0 messages" in output.text


# ---- the demo's synthetic publisher ------------------------------------------------------------

@pytest.fixture
def demo_stream(django_db_setup, django_db_blocker):
    """The demo's stream and stations, committed, moved under a topic prefix of this test."""
    from demo.sensors import LAYER_SLUG, METRICS, demo_sensors_load
    from layers.models import Feature, Layer
    from observations.models import Metric, Observation, ObservationLatest, SensorStream

    prefix = f"ioc-test/{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        stream = demo_sensors_load()
        SensorStream.objects.filter(pk=stream.pk).update(topic_filter=f"{prefix}/+/muc-nuoc")
    yield prefix, stream
    with django_db_blocker.unblock():
        ObservationLatest.objects.filter(stream=stream).delete()
        Observation.objects.filter(stream=stream).delete()
        SensorStream.objects.filter(pk=stream.pk).delete()
        Feature.objects.filter(layer__slug=LAYER_SLUG).delete()
        Layer.objects.filter(slug=LAYER_SLUG).delete()
        Metric.objects.filter(code__in=[m["code"] for m in METRICS]).delete()


def test_the_demo_publisher_feeds_the_demo_stream(broker_url, demo_stream, django_db_blocker):
    from demo.sensors import STATIONS
    from observations.models import Observation

    prefix, stream = demo_stream
    with subscriber_running(broker_url, django_db_blocker) as subscriber:
        _ready(subscriber, f"{prefix}/+/muc-nuoc")
        process, output = _command("demo_sensors", "--beats", "1", "--every", "1",
                                   "--topic-prefix", prefix, "--url", broker_url)
        assert process.wait(60) == 0, output.text
        assert wait_until(lambda: _count(stream=stream) == len(STATIONS),
                          blocker=django_db_blocker)
    with django_db_blocker.unblock():
        stations = set(Observation.objects.filter(stream=stream)
                       .values_list("station__external_id", flat=True))
        levels = {s.code: s.base_level_m for s in STATIONS}
        for row in Observation.objects.filter(stream=stream).select_related("station"):
            assert abs(row.value - levels[row.station.external_id]) < 1
    assert stations == {s.code for s in STATIONS}
    assert "synthetic" in output.text
