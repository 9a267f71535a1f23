"""How live and how clean each source is, computed from what the database already records.

- A connector's liveness comes from its import runs: the last finished run failed → FAILING;
  no success yet → NEVER; otherwise the age of the last success against the expected interval
  (the pull interval, else the connector's, else its layer's) → FRESH or STALE; no interval →
  UNSCHEDULED; switched off → INACTIVE. A pull answered "not modified" is a success: we hold
  the source's latest data.
- A layer's liveness: the last change of a feature or last successful import into it, against
  the layer's update interval. Completeness: the share of its features holding every property
  its schema requires.
- Validity: accepted rows / rows read over the runs of the last 30 days (None with no rows).
- A sensor stream's liveness: its last accepted message against its expected interval;
  validity: accepted / all messages (observations/ keeps running counters)."""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, Max, Q

from integration.models import Connector, ConnectorKind
from layers.models import Feature, Layer, LayerSource

from .models import Liveness, SourceKind

VALIDITY_WINDOW = timedelta(days=30)

_RUNS_SQL = """
SELECT connector_id,
       max(finished_at) FILTER (WHERE status = 'SUCCEEDED') AS last_success,
       (array_agg(status ORDER BY finished_at DESC, id DESC)
          FILTER (WHERE status IN ('SUCCEEDED', 'FAILED')))[1] AS last_status,
       (array_agg(id ORDER BY finished_at DESC, id DESC)
          FILTER (WHERE status IN ('SUCCEEDED', 'FAILED')))[1] AS last_run,
       (array_agg(message ORDER BY finished_at DESC, id DESC)
          FILTER (WHERE status IN ('SUCCEEDED', 'FAILED')))[1] AS last_message,
       coalesce(sum(rows_read) FILTER (WHERE finished_at >= %(since)s), 0) AS rows_read,
       coalesce(sum(rows_rejected) FILTER (WHERE finished_at >= %(since)s), 0) AS rows_rejected
  FROM integration_importrun
 GROUP BY connector_id
"""


@dataclass
class Health:
    """One source's figures, as `SourceStatus` stores them."""

    subject: str
    kind: str
    name: str
    layer_id: int | None
    sector: str
    owner_department: str
    liveness: str
    expected_interval: timedelta | None = None
    last_success_at: datetime | None = None
    completeness: float | None = None
    validity: float | None = None
    feature_count: int | None = None
    detail: dict = field(default_factory=dict)

    def age(self, now: datetime) -> timedelta | None:
        return now - self.last_success_at if self.last_success_at else None


def liveness_of(*, active: bool, failed_last: bool, last_success: datetime | None,
                expected: timedelta | None, now: datetime) -> str:
    """The liveness rule (module docstring), in one place."""
    if not active:
        return Liveness.INACTIVE
    if failed_last:
        return Liveness.FAILING
    if last_success is None:
        return Liveness.NEVER
    if expected is None:
        return Liveness.UNSCHEDULED
    return Liveness.FRESH if now - last_success <= expected else Liveness.STALE


def _share(good: int, total: int) -> float | None:
    return round(good / total, 4) if total else None


def _run_figures(now: datetime) -> dict[int, dict]:
    with connection.cursor() as cursor:
        cursor.execute(_RUNS_SQL, {"since": now - VALIDITY_WINDOW})
        names = [column.name for column in cursor.description]
        return {row[0]: dict(zip(names, row)) for row in cursor.fetchall()}


def _expected(connector: Connector) -> timedelta | None:
    if connector.kind != ConnectorKind.FILE and connector.pull_interval:
        return connector.pull_interval
    return connector.update_interval or connector.layer.update_interval


def connector_health(now: datetime) -> list[Health]:
    """Every connector's liveness and validity."""
    runs = _run_figures(now)
    result = []
    for connector in Connector.objects.select_related("layer").order_by("pk"):
        figures = runs.get(connector.pk, {})
        expected = _expected(connector)
        read, rejected = figures.get("rows_read", 0), figures.get("rows_rejected", 0)
        result.append(Health(
            subject=f"connector:{connector.pk}", kind=SourceKind.CONNECTOR, name=connector.name,
            layer_id=connector.layer_id, sector=connector.layer.sector,
            owner_department=connector.owner_department,
            liveness=liveness_of(active=connector.is_active,
                                 failed_last=figures.get("last_status") == "FAILED",
                                 last_success=figures.get("last_success"), expected=expected,
                                 now=now),
            expected_interval=expected, last_success_at=figures.get("last_success"),
            validity=_share(read - rejected, read),
            detail={"connector_id": connector.pk, "connector_kind": connector.kind,
                    "last_run_id": figures.get("last_run"),
                    "last_run_status": figures.get("last_status"),
                    "last_message": (figures.get("last_message") or "")[:500],
                    "rows_read_30d": read, "rows_rejected_30d": rejected}))
    return result


def layer_health(now: datetime, connectors: list[Health],
                 layer_ids: set[int] | None = None) -> list[Health]:
    """Every feature layer's (or those of `layer_ids`) liveness (last change against its
    interval) and completeness."""
    last_import: dict[int, datetime] = {}
    rows: dict[int, list[int]] = {}
    for health in connectors:
        if health.last_success_at:
            last = last_import.get(health.layer_id)
            last_import[health.layer_id] = max(filter(None, [last, health.last_success_at]))
        read, rejected = health.detail["rows_read_30d"], health.detail["rows_rejected_30d"]
        totals = rows.setdefault(health.layer_id, [0, 0])
        totals[0], totals[1] = totals[0] + read, totals[1] + rejected
    result = []
    layers = Layer.objects.filter(source=LayerSource.FEATURES).order_by("slug")
    if layer_ids is not None:
        layers = layers.filter(pk__in=layer_ids)
    for layer in layers:
        required = list((layer.property_schema or {}).get("required", []))
        complete = Q(properties__has_keys=required) if required else Q()
        figures = Feature.objects.filter(layer=layer).aggregate(
            count=Count("id"), complete=Count("id", filter=complete), last=Max("updated_at"))
        last = max(filter(None, [figures["last"], last_import.get(layer.pk)]), default=None)
        read, rejected = rows.get(layer.pk, (0, 0))
        result.append(Health(
            subject=f"layer:{layer.slug}", kind=SourceKind.LAYER, name=layer.title_vi,
            layer_id=layer.pk, sector=layer.sector, owner_department=layer.owner_department,
            liveness=liveness_of(active=True, failed_last=False, last_success=last,
                                 expected=layer.update_interval, now=now),
            expected_interval=layer.update_interval, last_success_at=last,
            completeness=_share(figures["complete"], figures["count"]),
            validity=_share(read - rejected, read), feature_count=figures["count"],
            detail={"required": required, "layer_slug": layer.slug,
                    "connectors": sum(1 for h in connectors if h.layer_id == layer.pk)}))
    return result


def stream_health(now: datetime) -> list[Health]:
    """Every sensor stream's liveness (last accepted message against its expected interval)
    and validity (accepted / all messages since the stream began: observations/ keeps running
    counters, not a dated log of every message)."""
    from observations.models import SensorStream, StreamStats

    stats = {row.stream_id: row for row in StreamStats.objects.all()}
    result = []
    for stream in SensorStream.objects.select_related("station_layer").order_by("pk"):
        figures = stats.get(stream.pk)
        accepted = figures.messages_accepted if figures else 0
        rejected = figures.messages_rejected if figures else 0
        last = figures.last_accepted_at if figures else None
        last_message = figures.last_message_at if figures else None
        result.append(Health(
            subject=f"stream:{stream.pk}", kind=SourceKind.STREAM, name=stream.name,
            layer_id=stream.station_layer_id, sector=stream.station_layer.sector,
            owner_department=stream.owner_department,
            liveness=liveness_of(active=stream.is_active, failed_last=False, last_success=last,
                                 expected=stream.expected_interval, now=now),
            expected_interval=stream.expected_interval, last_success_at=last,
            validity=_share(accepted, accepted + rejected),
            detail={"stream_id": stream.pk, "topic": stream.topic_filter,
                    "last_message_at": last_message and last_message.isoformat(),
                    "messages_accepted": accepted, "messages_rejected": rejected}))
    return result


def all_health(now: datetime) -> list[Health]:
    """Connectors, sensor streams and layers, in that order."""
    connectors = connector_health(now)
    return connectors + stream_health(now) + layer_health(now, connectors)
