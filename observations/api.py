"""REST endpoints of the sensor streams: the streams a caller may see (with liveness), one
station's time series, and the latest values of a station layer as GeoJSON. Thin: input, one
call, output; visibility and jurisdiction come from the selectors."""
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access.principal import principal_of
from ioc_gis.api.pagination import LimitOffsetPagination
from layers.feature_api import feature_geojson

from . import conf, selectors
from .errors import ObservationQueryInvalid
from .models import METRIC_CODE_PATTERN, Metric, SensorStream


def _at(value):
    """An instant in Vietnam time, as every API of the project answers."""
    return timezone.localtime(value).isoformat() if value else None


def _metric(metric: Metric) -> dict:
    return {"code": metric.code, "name_vi": metric.name_vi, "name_en": metric.name_en,
            "unit": metric.unit}


def _stream(stream: SensorStream) -> dict:
    stats = getattr(stream, "stats", None)
    interval = stream.expected_interval
    return {
        "id": stream.pk, "name": stream.name, "owner_department": stream.owner_department,
        "station_layer": stream.station_layer.slug, "is_active": stream.is_active,
        "expected_interval_seconds": interval.total_seconds() if interval else None,
        "metrics": [_metric(m) for m in stream.metrics.all()],
        "liveness": {
            "last_message_at": _at(stats.last_message_at) if stats else None,
            "last_accepted_at": _at(stats.last_accepted_at) if stats else None,
            "last_observed_at": _at(stats.last_observed_at) if stats else None,
            "messages_accepted": stats.messages_accepted if stats else 0,
            "messages_rejected": stats.messages_rejected if stats else 0,
        },
    }


class StreamListApi(APIView):
    """GET: the sensor streams whose station layer the caller may see."""

    access_policy = "scoped"
    token_scope = "layers:read"

    @extend_schema(operation_id="observations_streams_list",
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        streams = selectors.stream_list_visible(principal=principal_of(request))
        return Response([_stream(s) for s in streams])


class SeriesInput(serializers.Serializer):
    station = serializers.CharField(max_length=300, help_text="<layer slug>:<external id>")
    metric = serializers.RegexField(METRIC_CODE_PATTERN, required=False)
    since = serializers.DateTimeField(required=False, help_text="inclusive; naive = Vietnam time")
    until = serializers.DateTimeField(required=False, help_text="exclusive")
    limit = serializers.IntegerField(required=False, min_value=1, default=1000)

    def validate_limit(self, value: int) -> int:
        ceiling = int(conf.get("IOC_OBSERVATIONS_MAX_LIMIT"))
        if value > ceiling:
            raise serializers.ValidationError(f"at most {ceiling}")
        return value


class ObservationListApi(APIView):
    """GET: one station's observations, newest first (`limit`, default 1,000), optionally one
    metric and a time window [since, until). A station outside the caller's reach is a 404."""

    access_policy = "scoped"
    token_scope = "layers:read"

    @extend_schema(operation_id="observations_list", parameters=[SeriesInput],
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        args = SeriesInput(data=request.query_params)
        if not args.is_valid():
            raise ObservationQueryInvalid("Tham số không hợp lệ.", details=args.errors)
        station, rows = selectors.observation_series(
            principal=principal_of(request), query=selectors.SeriesQuery(**args.validated_data))
        metrics = {row.metric.code: row.metric for row in rows}
        return Response({
            "station": {"layer": station.layer.slug, "id": station.external_id},
            "order": "newest_first", "count": len(rows),
            "metrics": {code: _metric(m) for code, m in sorted(metrics.items())},
            "results": [{"metric": row.metric.code, "value": row.value,
                         "observed_at": _at(row.observed_at), "received_at": _at(row.received_at)}
                        for row in rows],
        })


class LatestInput(serializers.Serializer):
    layer = serializers.SlugField(max_length=63)
    metric = serializers.RegexField(METRIC_CODE_PATTERN, required=False)


class LatestListApi(APIView):
    """GET: the stations of a station layer the caller may read (GeoJSON features, paginated),
    each with its newest value per metric under `latest`."""

    access_policy = "scoped"
    token_scope = "layers:read"

    @extend_schema(operation_id="observations_latest", parameters=[LatestInput],
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        args = LatestInput(data=request.query_params)
        if not args.is_valid():
            raise ObservationQueryInvalid("Tham số không hợp lệ.", details=args.errors)
        principal = principal_of(request)
        layer = selectors.station_layer_get_visible(principal=principal,
                                                    slug=args.validated_data["layer"])
        code = args.validated_data.get("metric")
        metric = selectors.metric_get(code=code) if code else None
        stations = selectors.stations_with_latest(principal=principal, layer=layer,
                                                  metric=metric)
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(
            stations.annotate(geojson=AsGeoJSON("geom", precision=7)), request, self)
        return paginator.get_paginated_response([
            {**feature_geojson(station, layer, principal), "latest": {
                row.metric.code: {"value": row.value, "unit": row.metric.unit,
                                  "observed_at": _at(row.observed_at),
                                  "received_at": _at(row.received_at)}
                for row in station.latest}}
            for station in page])
