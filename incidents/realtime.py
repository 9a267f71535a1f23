"""Live events of the incident workflow (docs/adr/0009-live-push.md).

A service builds the event inside its transaction (`incident_event`: staff-safe fields only) and
publishes it once the transaction commits (`publish`): to in-process listeners (`subscribe`)
and to the channel layer, where the groups are the incident's units — one group per unit code
(its commune and its assigned unit) and one for the whole province. A socket joins the groups
of its principal's ground (`principal_groups`) and checks each event with `event_visible`, the
rule of `selectors.incident_scope` applied to an event instead of a row."""
import asyncio
import atexit
import concurrent.futures
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.utils import timezone
from redis.exceptions import RedisError

from access.principal import Principal
from layers.models import Layer

from .models import Incident
from .projection import LAYER_SLUG

log = logging.getLogger(__name__)

MESSAGE_TYPE = "incident.event"  # the consumer's handler: IncidentFeedConsumer.incident_event
PROVINCE_GROUP = "incidents.province"
VIEW_PERMISSION = "incidents.view_incident"
# Broker trouble must not turn a committed write into an error answer: the event is lost and
# logged; clients catch up when they refetch (after a reconnect, or at the next event).
# TimeoutError is also asyncio's (Python 3.11).
PUBLISH_ERRORS = (RedisError, OSError, TimeoutError)

_subscribers: list[Callable[[dict], None]] = []


def unit_group(code: str) -> str:
    """The group of the sockets bound to one unit (a commune code, or a higher unit's)."""
    return f"incidents.unit.{code}"


def incidents_data_version() -> int:
    """The incidents layer's tile data version (bumped by the database on every change of the
    layer): a map client that sees a newer one refetches the layer's tiles."""
    version = (Layer.objects.filter(slug=LAYER_SLUG)
               .values_list("tile_state__data_version", flat=True).first())
    return version or 0


def incident_event(*, kind: str, incident: Incident) -> dict:
    """The event of a change to `incident`, built inside the change's transaction. Staff-safe
    fields only: never the title, description, address, reporter's name, phone or e-mail,
    origin, notes or photos. Its `data_version` is stamped after the drain that invalidated
    the change's tiles (`stamped`): read inside the transaction it could be a version that
    another writer's event also carries, before this change's tiles were invalidated."""
    now = timezone.now()
    return {
        "type": kind,
        "event_id": uuid.uuid4().hex,
        "id": incident.public_id,
        "status": incident.status,
        "category": incident.category.code,
        "sector": incident.category.sector,
        "severity": incident.severity,
        "lon": incident.location.x,
        "lat": incident.location.y,
        "commune_code": incident.commune_code,
        "assigned_unit_code": incident.assigned_unit_code,
        "overdue": bool(incident.is_open and incident.due_at < now),
        "escalated": incident.escalation_level > 0,
        "at": timezone.localtime(now).isoformat(),
        "layer": LAYER_SLUG,
        "data_version": None,
    }


def stamped(event: dict) -> dict:
    """The event with the layer's data version as it is now (after the change's drain)."""
    return {**event, "data_version": incidents_data_version()}


def publish_drained(event: dict) -> None:
    """After commit: drain the tile queue, then publish the event with its data version. With
    a shared (Redis) layer both happen in this process's drainer thread, once for all the
    events of a drain, so the request that committed waits for neither
    (tiles.maintenance.BackgroundDrainer); with the in-memory layer (one process, tests) at
    once, in the caller's thread."""
    from tiles.maintenance import _safe_drain, drainer

    if not isinstance(get_channel_layer(), InMemoryChannelLayer | None):
        drainer.then(_publish_all, event)
        return
    _safe_drain()
    _publish_all([event])


def _publish_all(events: list[dict]) -> None:
    version = incidents_data_version()
    for event in events:
        publish({**event, "data_version": version})


def event_groups(event: dict) -> set[str]:
    """The groups an event goes to: the province's and its units'."""
    codes = {event["commune_code"], event["assigned_unit_code"]} - {""}
    return {PROVINCE_GROUP} | {unit_group(code) for code in codes}


def incident_feed_allowed(principal: Principal) -> bool:
    """Whether the principal may follow incident events at all: it reads incidents and has
    ground (every unit, or some current communes) — otherwise the feed would stay silent."""
    return principal.has(VIEW_PERMISSION) and (principal.province_wide
                                                or bool(principal.cur_codes))


def principal_groups(principal: Principal) -> list[str]:
    """The groups a socket of this principal joins: the province's, or its communes'."""
    if principal.province_wide:
        return [PROVINCE_GROUP]
    return [unit_group(code) for code in sorted(principal.cur_codes)]


def event_visible(principal: Principal, event: dict) -> bool:
    """`selectors.incident_scope` for an event: the principal's sectors, and (unless
    province-wide) its communes as the incident's commune or assigned unit."""
    if not principal.has(VIEW_PERMISSION):
        return False
    if principal.sectors is not None and event["sector"] not in principal.sectors:
        return False
    return (principal.province_wide or event["commune_code"] in principal.cur_codes
            or event["assigned_unit_code"] in principal.cur_codes)


def subscribe(callback: Callable[[dict], None]) -> Callable[[], None]:
    """Register an in-process listener; returns a function that removes it."""
    _subscribers.append(callback)
    return lambda: _subscribers.remove(callback)


def publish(event: dict) -> None:
    """Deliver an event after its transaction committed: to in-process listeners, then to the
    channel layer (every server process's sockets when the layer is Redis).

    A shared (Redis) layer is sent to by this process's publisher thread, so the request that
    committed does not wait for the broker; the in-memory layer (one process, tests) is sent
    to at once, in the caller's thread, where its sockets' event loop can see it."""
    for callback in list(_subscribers):
        try:
            callback(event)
        except Exception:
            log.exception("realtime listener failed for %s", event.get("type"))
    layer = get_channel_layer()
    if layer is None:
        return
    groups = sorted(event_groups(event))
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop is not None:
        # Called from code that drives an event loop in this thread (async code, or a sync
        # API over one): async_to_sync would refuse; hand the send to that loop instead.
        loop.create_task(_group_send(layer, groups, event))
        return
    if not isinstance(layer, InMemoryChannelLayer):
        publisher.submit(layer, groups, event)
        return
    try:
        async_to_sync(_group_send)(layer, groups, event)
    except PUBLISH_ERRORS as exc:
        _failed(event, exc)


def _failed(event: dict, exc: BaseException) -> None:
    log.warning("live push of %s %s failed: %r", event["type"], event["id"], exc)


class Publisher:
    """One thread per process running an event loop that sends events to a shared channel
    layer. Its connections to the broker stay open between events (async_to_sync would open a
    loop and a connection per event: ~6 ms, in the committing request). A process waits for its
    queued events when it exits normally (up to 5 s); an event lost anyway (a killed process, a
    broker that is down) is caught up by clients when they reconnect or at the next event
    (docs/adr/0009-live-push.md)."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0
        self._lock = threading.Lock()
        self._pending: set[concurrent.futures.Future] = set()

    def submit(self, layer, groups: list[str], event: dict) -> None:
        future = asyncio.run_coroutine_threadsafe(_group_send(layer, groups, event),
                                                  self._running_loop())
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(lambda done: self._done(done, event))

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until every event submitted so far has been sent or has failed (and, if it
        failed, been logged)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            pending = list(self._pending)
        concurrent.futures.wait(pending, timeout=timeout)
        while time.monotonic() < deadline:  # done callbacks run just after the futures end
            with self._lock:
                if not self._pending.intersection(pending):
                    return
            time.sleep(0.005)

    def _done(self, future: concurrent.futures.Future, event: dict) -> None:
        exc = None if future.cancelled() else future.exception()
        if exc is not None:
            _failed(event, exc)
        with self._lock:  # last: flush() returns once the failure is logged
            self._pending.discard(future)

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():  # new, or a forked child
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="ioc-live-publisher",
                                 daemon=True).start()
                self._loop, self._pid, self._pending = loop, os.getpid(), set()
                # A short-lived process (a management command, a Celery task) must not end
                # before its events have left (events still waiting for a drain first).
                atexit.register(flush)
            return self._loop


publisher = Publisher()


def flush(timeout: float = 5.0) -> None:
    """Wait until every event published so far has been sent or has failed: those waiting for
    a tile drain first (`publish_drained`), then the publisher's."""
    from tiles.maintenance import drainer

    drainer.flush(timeout)
    publisher.flush(timeout)


async def _group_send(layer, groups: list[str], event: dict) -> None:
    # The frame's text is encoded once here, not once per socket.
    message = {"type": MESSAGE_TYPE, "event": event, "text": json.dumps(event)}
    await asyncio.wait_for(asyncio.gather(*(layer.group_send(g, message) for g in groups)),
                           timeout=getattr(settings, "IOC_LIVE_PUBLISH_TIMEOUT_SECONDS", 1.0))
