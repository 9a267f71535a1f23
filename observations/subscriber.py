"""The MQTT subscriber: one client for every active stream, off the request path.

paho's network thread only queues what arrives; the thread that calls `Subscriber.run` writes
the queue in batches (every IOC_MQTT_BATCH_SECONDS or IOC_MQTT_BATCH_SIZE messages, each batch
one transaction, observations/services.py), reloads the streams every IOC_MQTT_RELOAD_SECONDS
and changes the subscriptions to match. paho reconnects by itself with a doubling back-off
(1 s … IOC_MQTT_RECONNECT_MAX_SECONDS), also when the broker is down at start. On stop the
client disconnects first, then what was already received is written."""
import logging
import os
import queue
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone

from . import conf
from .errors import BrokerNotConfigured
from .mapping import Message, StreamRoute
from .services import BatchResult, limits_load, observations_ingest, stream_routes_load

logger = logging.getLogger("observations.mqtt")


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    tls: bool = False
    username: str = ""
    password: str = ""

    def __str__(self) -> str:  # never the password
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


def broker_from_url(url: str | None = None) -> Broker:
    """The broker of `url` (default IOC_MQTT_URL): mqtt://[user:pass@]host[:1883] or mqtts://
    (TLS, port 8883). IOC_MQTT_USERNAME / IOC_MQTT_PASSWORD win over the URL's."""
    url = url if url is not None else conf.get("IOC_MQTT_URL")
    parts = urlsplit(url or "")
    if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
        raise BrokerNotConfigured("IOC_MQTT_URL phải có dạng mqtt://máy:cổng hoặc mqtts://…")
    tls = parts.scheme == "mqtts"
    try:
        port = parts.port or (8883 if tls else 1883)
    except ValueError:
        raise BrokerNotConfigured("IOC_MQTT_URL: cổng không hợp lệ") from None
    return Broker(parts.hostname, port, tls,
                  conf.get("IOC_MQTT_USERNAME") or unquote(parts.username or ""),
                  conf.get("IOC_MQTT_PASSWORD") or unquote(parts.password or ""))


@dataclass
class Totals:
    messages: int = 0
    accepted: int = 0
    rejected: int = 0
    unrouted: int = 0
    inserted: int = 0
    updated: int = 0
    batches: int = 0

    def add(self, result: BatchResult) -> None:
        self.batches += 1
        for name in ("messages", "accepted", "rejected", "unrouted", "inserted", "updated"):
            setattr(self, name, getattr(self, name) + getattr(result, name))


class Subscriber:
    """Subscribes every active stream's topic filter and writes what arrives."""

    def __init__(self, broker: Broker, *, client_id: str = "") -> None:
        self.broker = broker
        self.batch_size = int(conf.get("IOC_MQTT_BATCH_SIZE"))
        self.batch_seconds = float(conf.get("IOC_MQTT_BATCH_SECONDS"))
        self.reload_seconds = float(conf.get("IOC_MQTT_RELOAD_SECONDS"))
        self.totals = Totals()
        self.connected = threading.Event()
        self.routes: list[StreamRoute] = []
        self._queue: queue.Queue[Message] = queue.Queue(
            maxsize=int(conf.get("IOC_MQTT_QUEUE_MAX")))
        self._lock = threading.Lock()
        self._wanted: dict[str, int] = {}   # topic filter → QoS
        self._pending: dict[int, list[str]] = {}  # SUBSCRIBE mid → filters
        self._acknowledged: set[str] = set()
        self._stopping = False
        self._client = self._client_build(client_id or conf.get("IOC_MQTT_CLIENT_ID"))

    # ---- the MQTT client (its callbacks run on paho's network thread) -----------------------
    def _client_build(self, client_id: str) -> mqtt.Client:
        persistent = bool(client_id)
        client = mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id or f"ioc-gis-{socket.gethostname()}-{os.getpid()}",
            clean_session=not persistent, protocol=mqtt.MQTTv311)
        if self.broker.username:
            client.username_pw_set(self.broker.username, self.broker.password or None)
        if self.broker.tls:
            client.tls_set()
        client.reconnect_delay_set(1, int(conf.get("IOC_MQTT_RECONNECT_MAX_SECONDS")))
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        return client

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            logger.error("broker %s refused the connection: %s", self.broker, reason_code)
            return
        logger.info("connected to %s", self.broker)
        self.connected.set()
        with self._lock:
            self._acknowledged.clear()
            self._subscribe(dict(self._wanted))

    def _on_connect_fail(self, client, userdata) -> None:
        logger.warning("cannot reach the broker %s; retrying with back-off", self.broker)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self.connected.clear()
        if not self._stopping:
            logger.warning("disconnected from %s (%s); reconnecting", self.broker, reason_code)

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        with self._lock:
            filters = self._pending.pop(mid, [])
            for topic_filter, code in zip(filters, reason_codes, strict=False):
                if code.is_failure:
                    logger.error("the broker refused the subscription %s: %s", topic_filter,
                                 code)
                else:
                    self._acknowledged.add(topic_filter)
        logger.info("subscribed: %s", " ".join(sorted(filters)))

    def _on_message(self, client, userdata, msg: mqtt.MQTTMessage) -> None:
        try:
            topic = msg.topic
        except UnicodeDecodeError:  # brokers refuse such topics; never trust that
            return
        # Blocks when the writer lags far behind: TCP then holds the broker back.
        self._queue.put(Message(topic, bytes(msg.payload), timezone.now()))

    def _subscribe(self, filters: dict[str, int]) -> None:
        """SUBSCRIBE `filters` (called with the lock held)."""
        if not filters or not self.connected.is_set():
            return
        result, mid = self._client.subscribe(list(filters.items()))
        if result == mqtt.MQTT_ERR_SUCCESS:
            self._pending[mid] = list(filters)

    def is_subscribed(self, topic_filter: str) -> bool:
        """The broker acknowledged the subscription to `topic_filter`."""
        with self._lock:
            return topic_filter in self._acknowledged

    # ---- streams ------------------------------------------------------------------------------
    def reload(self) -> bool:
        """Load the active streams; when they changed, subscribe and unsubscribe to match."""
        routes = stream_routes_load()
        if routes == self.routes:
            return False
        self.routes = routes
        wanted: dict[str, int] = {}
        for route in routes:
            wanted[route.topic_filter] = max(route.qos, wanted.get(route.topic_filter, 0))
        with self._lock:
            gone = [f for f in self._wanted if f not in wanted]
            added = {f: q for f, q in wanted.items() if self._wanted.get(f) != q}
            self._wanted = wanted
            if gone and self.connected.is_set():
                self._client.unsubscribe(gone)
            self._acknowledged -= set(gone) | set(added)
            self._subscribe(added)
        logger.info("%d active streams; topic filters: %s", len(routes),
                    " ".join(sorted(wanted)) or "(none)")
        return True

    # ---- the writer loop (the caller's thread) -------------------------------------------------
    def run(self, *, stop: threading.Event, seconds: float | None = None) -> Totals:
        """Subscribe and write batches until `stop` is set or `seconds` have passed."""
        deadline = None if seconds is None else time.monotonic() + seconds
        limits = limits_load()
        try:
            self._until_loaded(stop)
            self._client.connect_async(self.broker.host, self.broker.port,
                                       keepalive=int(conf.get("IOC_MQTT_KEEPALIVE_SECONDS")))
            self._client.loop_start()
            next_reload = time.monotonic() + self.reload_seconds
            while not stop.is_set() and (deadline is None or time.monotonic() < deadline):
                wake = min(next_reload, deadline or next_reload)
                batch = self._collect(wake)
                if batch:
                    self._write(batch, limits, stop)
                if time.monotonic() >= next_reload:
                    self._guarded_reload()
                    next_reload = time.monotonic() + self.reload_seconds
        finally:
            self._stopping = True
            self._client.disconnect()
            self._client.loop_stop()
            self._drain(limits)
            connection.close()
        return self.totals

    def _until_loaded(self, stop: threading.Event) -> None:
        delay = 1.0
        while not stop.is_set():
            try:
                self.reload()
                return
            except (OperationalError, InterfaceError) as exc:
                logger.warning("database unavailable (%s); retrying in %.0f s", exc, delay)
                connection.close()
                stop.wait(delay)
                delay = min(delay * 2, 60)

    def _guarded_reload(self) -> None:
        try:
            self.reload()
        except (OperationalError, InterfaceError) as exc:
            logger.warning("could not reload the streams (%s)", exc)
            connection.close()

    def _collect(self, wake: float) -> list[Message]:
        """The next batch: wait until `wake` for a first message, then up to batch_seconds (or
        batch_size messages) for more."""
        try:
            first = self._queue.get(timeout=max(0.01, min(wake - time.monotonic(),
                                                          self.batch_seconds)))
        except queue.Empty:
            return []
        batch, until = [first], time.monotonic() + self.batch_seconds
        while len(batch) < self.batch_size:
            try:
                batch.append(self._queue.get(timeout=max(0.0, until - time.monotonic())))
            except queue.Empty:
                break
        return batch

    def _write(self, batch: list[Message], limits, stop: threading.Event) -> None:
        """Write a batch; while the database is unreachable, keep it and retry with back-off."""
        delay = 0.5
        while True:
            try:
                result = observations_ingest(messages=batch, routes=self.routes, limits=limits)
            except (OperationalError, InterfaceError) as exc:
                connection.close()
                if stop.is_set():
                    logger.error("database unavailable at shutdown: %d messages not written "
                                 "(%s)", len(batch), exc)
                    return
                logger.warning("database unavailable (%s); retrying the batch in %.1f s",
                               exc, delay)
                stop.wait(delay)
                delay = min(delay * 2, 30)
                continue
            self.totals.add(result)
            if result.rejected:
                logger.info("batch of %d: %d rejected (%s)", len(batch), result.rejected,
                            ", ".join(f"{k}={v}" for k, v in sorted(result.reasons.items())))
            return

    def _drain(self, limits) -> None:
        batch = []
        while True:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        if batch:
            once = threading.Event()
            once.set()  # one attempt: we are stopping
            self._write(batch, limits, once)
