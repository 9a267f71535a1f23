"""Live events of the incident workflow. Services publish after commit; the WebSocket fan-out
(Channels) subscribes here. Until it lands, subscribers are in-process callables (tests)."""
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)
_subscribers: list[Callable[[dict], None]] = []


def subscribe(callback: Callable[[dict], None]) -> Callable[[], None]:
    """Register a listener; returns a function that removes it."""
    _subscribers.append(callback)
    return lambda: _subscribers.remove(callback)


def publish(event: dict) -> None:
    """Deliver an event to every listener; one failing listener does not stop the others."""
    for callback in list(_subscribers):
        try:
            callback(event)
        except Exception:
            log.exception("realtime listener failed for %s", event.get("type"))
