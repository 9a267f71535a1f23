"""From one MQTT message to readings, through a stream's mapping: pure functions, no database.
Every message is validated whole — one bad value rejects the message, with a reason — so a
message is either wholly observations or wholly one rejected-message row."""
import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from paho.mqtt.client import topic_matches_sub

from .models import RejectReason

# Naive times in payloads are Vietnam's civil time (the province's sensors are set to it).
LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
EPOCH_MS_ABOVE = 1e11  # numbers above this are epoch milliseconds (1e11 s is in year 5138)


@dataclass(frozen=True)
class MetricRule:
    """An allowed metric of a stream, with its plausible range."""

    id: int
    code: str
    min_value: float | None = None
    max_value: float | None = None


@dataclass(frozen=True)
class StreamRoute:
    """What the subscriber needs of one active stream, loaded once per reload."""

    stream_id: int
    topic_filter: str
    qos: int
    layer_id: int
    station_path: tuple[str, ...]
    time_path: tuple[str, ...]
    allowed: dict[str, MetricRule] = field(default_factory=dict)
    # Either (metric rule, path) pairs (one message → several metrics) …
    metric_paths: tuple[tuple[MetricRule, tuple[str, ...]], ...] = ()
    # … or where the payload names its metric and value (one message → one metric).
    metric_name_path: tuple[str, ...] | None = None
    value_path: tuple[str, ...] | None = None

    def matches(self, topic: str) -> bool:
        """The message's topic falls under this stream's filter."""
        return topic_matches_sub(self.topic_filter, topic)


@dataclass(frozen=True)
class Limits:
    """The validation limits of a batch (from observations.conf)."""

    max_payload_bytes: int
    future_tolerance: timedelta
    max_age: timedelta


@dataclass(frozen=True)
class Message:
    """One MQTT message as received."""

    topic: str
    payload: bytes
    received_at: datetime


@dataclass(frozen=True)
class Reading:
    metric_id: int
    value: float
    observed_at: datetime


@dataclass(frozen=True)
class Parsed:
    """A valid message: its station's external id and one reading per metric it carries."""

    station: str
    readings: tuple[Reading, ...]


@dataclass(frozen=True)
class Rejection:
    reason: str
    detail: str = ""


class _Reject(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail)
        self.rejection = Rejection(reason, detail[:500])


def route_build(*, stream_id: int, topic_filter: str, qos: int, layer_id: int, mapping: dict,
                metrics: list[MetricRule]) -> StreamRoute:
    """A stream's route. Mapped metrics that the stream does not allow are left out (the admin
    form refuses them; a later change of the allow-list must not let them in)."""
    allowed = {rule.code: rule for rule in metrics}
    common = {"stream_id": stream_id, "topic_filter": topic_filter, "qos": qos,
              "layer_id": layer_id, "station_path": _path(mapping["station"]),
              "time_path": _path(mapping["time"]), "allowed": allowed}
    if "metrics" in mapping:
        pairs = tuple((allowed[code], _path(path)) for code, path in mapping["metrics"].items()
                      if code in allowed)
        return StreamRoute(**common, metric_paths=pairs)
    return StreamRoute(**common, metric_name_path=_path(mapping["metric"]),
                       value_path=_path(mapping["value"]))


def _path(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.strip().split(".") if part)


_MISSING = object()


def _lookup(payload: dict, path: tuple[str, ...]):
    node = payload
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return _MISSING
        node = node[key]
    return node


def message_parse(route: StreamRoute, message: Message, *, limits: Limits) -> Parsed | Rejection:
    """The readings of `message` under `route`'s mapping, or why it is rejected."""
    try:
        payload = _decode(message.payload, limits)
        station = _station(payload, route)
        observed_at = _time(_lookup(payload, route.time_path), message.received_at, limits)
        readings = _readings(payload, route, observed_at)
    except _Reject as reject:
        return reject.rejection
    return Parsed(station, readings)


def _decode(raw: bytes, limits: Limits) -> dict:
    if len(raw) > limits.max_payload_bytes:
        raise _Reject(RejectReason.PAYLOAD_TOO_LARGE, f"{len(raw)} byte")
    try:
        payload = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise _Reject(RejectReason.INVALID_JSON, "không phải UTF-8") from None
    except RecursionError:
        raise _Reject(RejectReason.INVALID_JSON, "lồng quá sâu") from None
    except ValueError as exc:
        raise _Reject(RejectReason.INVALID_JSON, str(exc)) from None
    if not isinstance(payload, dict):
        raise _Reject(RejectReason.INVALID_JSON, "cần một đối tượng JSON")
    return payload


def _station(payload: dict, route: StreamRoute) -> str:
    value = _lookup(payload, route.station_path)
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
        raise _Reject(RejectReason.STATION_MISSING, ".".join(route.station_path))
    station = str(value).strip()
    if len(station) > 200:
        raise _Reject(RejectReason.UNKNOWN_STATION, station[:200])
    return station


def time_parse(value, *, local=LOCAL_TIME) -> datetime:
    """An instant from ISO 8601 text (naive = Vietnam time) or epoch seconds / milliseconds.
    Raises ValueError when it is neither."""
    if isinstance(value, bool):
        raise ValueError("boolean")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError("not finite")
        seconds = value / 1000 if abs(value) > EPOCH_MS_ABOVE else value
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    if isinstance(value, str) and 10 <= len(value.strip()) <= 40:
        parsed = datetime.fromisoformat(value.strip())
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=local)
    raise ValueError("not a time")


def _time(value, received_at: datetime, limits: Limits) -> datetime:
    if value is _MISSING or value is None or value == "":
        raise _Reject(RejectReason.TIME_MISSING)
    try:
        observed_at = time_parse(value)
    except (ValueError, OverflowError, OSError):
        raise _Reject(RejectReason.TIME_INVALID, repr(value)[:100]) from None
    if observed_at > received_at + limits.future_tolerance:
        raise _Reject(RejectReason.TIME_IN_FUTURE, observed_at.isoformat())
    if observed_at < received_at - limits.max_age:
        raise _Reject(RejectReason.TIME_TOO_OLD, observed_at.isoformat())
    return observed_at


def _number(value, code: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _Reject(RejectReason.VALUE_NOT_NUMBER, f"{code}: {repr(value)[:80]}")
    try:
        number = float(value.strip()) if isinstance(value, str) else float(value)
    except (ValueError, OverflowError):
        raise _Reject(RejectReason.VALUE_NOT_NUMBER, f"{code}: {value[:80]!r}") from None
    if not math.isfinite(number):
        raise _Reject(RejectReason.VALUE_NOT_NUMBER, f"{code}: {value!r}")
    return number


def _reading(rule: MetricRule, value, observed_at: datetime) -> Reading:
    number = _number(value, rule.code)
    if ((rule.min_value is not None and number < rule.min_value)
            or (rule.max_value is not None and number > rule.max_value)):
        raise _Reject(RejectReason.VALUE_OUT_OF_RANGE,
                      f"{rule.code}: {number} ngoài [{rule.min_value}, {rule.max_value}]")
    return Reading(rule.id, number, observed_at)


def _readings(payload: dict, route: StreamRoute, observed_at: datetime) -> tuple[Reading, ...]:
    if route.metric_name_path is not None:  # the payload names its metric
        name = _lookup(payload, route.metric_name_path)
        rule = route.allowed.get(name) if isinstance(name, str) else None
        if rule is None:
            raise _Reject(RejectReason.METRIC_NOT_MAPPED, repr(name)[:100])
        value = _lookup(payload, route.value_path)
        if value is _MISSING or value is None:
            raise _Reject(RejectReason.VALUE_NOT_NUMBER, f"{rule.code}: thiếu giá trị")
        return (_reading(rule, value, observed_at),)
    readings = tuple(_reading(rule, value, observed_at) for rule, path in route.metric_paths
                     if (value := _lookup(payload, path)) is not _MISSING and value is not None)
    if not readings:
        expected = ", ".join(".".join(path) for _, path in route.metric_paths)
        raise _Reject(RejectReason.METRIC_NOT_MAPPED, f"không có trường nào trong: {expected}")
    return readings
