"""Settings of the observations app, read lazily: a Django setting of the same name wins, then
the environment (`.env` included), then the default here (`IOC_MQTT_…`)."""
import os

from django.conf import settings

DEFAULTS = {
    # The one broker every stream subscribes through: mqtt://host:1883 or mqtts://host:8883.
    "IOC_MQTT_URL": "",
    "IOC_MQTT_USERNAME": "",
    "IOC_MQTT_PASSWORD": "",
    # Set it to keep a persistent session: the broker then holds QoS 1/2 messages while the
    # subscriber is down. Empty: a fresh client id and a clean session on every start.
    "IOC_MQTT_CLIENT_ID": "",
    "IOC_MQTT_KEEPALIVE_SECONDS": 30,
    "IOC_MQTT_RECONNECT_MAX_SECONDS": 60,
    # A batch is written when this many messages are waiting or this much time has passed.
    "IOC_MQTT_BATCH_SIZE": 500,
    "IOC_MQTT_BATCH_SECONDS": 0.5,
    # Messages received but not yet written, at most; beyond it the network thread waits (and
    # the broker queues, then drops: Mosquitto keeps max_queued_messages, 1,000 by default).
    "IOC_MQTT_QUEUE_MAX": 50_000,
    # How often the subscriber looks for streams that were added, changed or switched off.
    "IOC_MQTT_RELOAD_SECONDS": 10.0,
    "IOC_MQTT_MAX_PAYLOAD_BYTES": 64 * 1024,
    # Sensor clocks drift: an instant up to this far ahead is accepted, further is rejected.
    "IOC_MQTT_FUTURE_TOLERANCE_SECONDS": 300,
    # A reading older than this is rejected (a sensor whose clock reset sends 1970).
    "IOC_MQTT_MAX_AGE_DAYS": 365,
    # Rejected messages kept per stream (the newest; older ones are deleted by each batch).
    "IOC_MQTT_REJECTED_KEEP": 1000,
    # The most observations one API call returns.
    "IOC_OBSERVATIONS_MAX_LIMIT": 10_000,
}


def get(name: str):
    """The setting `name`: Django settings, else the environment, else the default (cast to
    the default's type)."""
    default = DEFAULTS[name]
    if hasattr(settings, name):
        return getattr(settings, name)
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return type(default)(raw) if not isinstance(default, str) else raw
