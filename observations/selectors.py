"""Reads of the observations app. Stations are features of a layer, so the layer's visibility
and the caller's jurisdiction decide what exists (404 outside, as for features): every read
goes through `layers.selectors` with the caller's principal."""
import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet

from access.principal import Principal
from layers.errors import FeatureNotFound, LayerNotFound
from layers.models import Feature, Layer
from layers.selectors import feature_get_visible, feature_list_visible, layer_get_visible

from .errors import NotAStationLayer, ObservationQueryInvalid, StationNotFound, UnknownMetric
from .models import Metric, Observation, ObservationLatest, SensorStream

STATION_REF = re.compile(r"^(?P<slug>[a-z][a-z0-9-]{1,62}):(?P<external_id>.{1,200})$", re.S)


def stream_list_visible(*, principal: Principal) -> list[SensorStream]:
    """Streams whose station layer the principal may see, with metrics and liveness."""
    streams = (SensorStream.objects.select_related("station_layer", "stats")
               .prefetch_related(Prefetch("metrics", queryset=Metric.objects.order_by("code")))
               .order_by("name", "pk"))
    return [s for s in streams if principal.can_see_layer(s.station_layer)]


def metric_get(*, code: str) -> Metric:
    """A metric of the catalogue by code (400 when unknown)."""
    metric = Metric.objects.filter(code=code).first()
    if metric is None:
        raise UnknownMetric(f"Không có đại lượng '{code}'.")
    return metric


def station_get_visible(*, principal: Principal, ref: str) -> Feature:
    """The station `<layer slug>:<external id>` if the principal may read it (400 for a
    malformed reference, 404 for a station outside their reach)."""
    match = STATION_REF.match(ref)
    if match is None:
        raise ObservationQueryInvalid("station phải có dạng <mã lớp>:<mã trạm>.")
    try:
        layer = layer_get_visible(slug=match["slug"], principal=principal)
        return feature_get_visible(principal=principal, layer=layer,
                                   external_id=match["external_id"])
    except (LayerNotFound, FeatureNotFound):
        raise StationNotFound(f"Không có trạm '{ref}'.") from None


@dataclass(frozen=True)
class SeriesQuery:
    station: str
    metric: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 1000


def observation_series(*, principal: Principal, query: SeriesQuery
                       ) -> tuple[Feature, list[Observation]]:
    """A station's observations, newest first, at most `limit`, in [since, until)."""
    if query.since and query.until and query.since >= query.until:
        raise ObservationQueryInvalid("since phải trước until.")
    station = station_get_visible(principal=principal, ref=query.station)
    rows = Observation.objects.filter(station=station).select_related("metric")
    if query.metric:
        rows = rows.filter(metric=metric_get(code=query.metric))
    if query.since:
        rows = rows.filter(observed_at__gte=query.since)
    if query.until:
        rows = rows.filter(observed_at__lt=query.until)
    return station, list(rows.order_by("-observed_at", "metric__code")[:query.limit])


def station_layer_get_visible(*, principal: Principal, slug: str) -> Layer:
    """A visible layer that is some stream's station layer (404 unseen, 400 not stations)."""
    layer = layer_get_visible(slug=slug, principal=principal)
    if not SensorStream.objects.filter(station_layer=layer).exists():
        raise NotAStationLayer(f"Lớp '{slug}' không phải lớp trạm đo của luồng cảm biến nào.")
    return layer


def stations_with_latest(*, principal: Principal, layer: Layer,
                         metric: Metric | None = None) -> QuerySet[Feature]:
    """The layer's stations the principal may read, each with its newest observation per
    metric prefetched as `latest` (one query for the page's stations)."""
    latest = ObservationLatest.objects.select_related("metric").order_by("metric__code")
    if metric is not None:
        latest = latest.filter(metric=metric)
    return feature_list_visible(principal=principal, layer=layer).prefetch_related(
        Prefetch("latest_observations", queryset=latest, to_attr="latest"))
