"""REST endpoints for features: GeoJSON out, batch upsert in. Thin: input, one domain call,
output. Visibility comes from access.principal via the layers selectors."""
import json

from django.contrib.gis.db.models.functions import AsGeoJSON
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access.principal import Principal, principal_of
from ioc_gis.api.pagination import LimitOffsetPagination

from . import selectors, services
from .errors import FeatureValidationError
from .models import Feature, Layer
from .validation import FeatureInput


def _write_scope(request: Request) -> str:
    return f"layers:write:{request.parser_context['kwargs']['slug']}"


def _read_or_write_scope(request: Request) -> str:
    return "layers:read" if request.method == "GET" else _write_scope(request)


class FeatureQueryInput(serializers.Serializer):
    bbox = serializers.RegexField(r"^-?[\d.]+,-?[\d.]+,-?[\d.]+,-?[\d.]+$", required=False,
                                  help_text="minLon,minLat,maxLon,maxLat (WGS84)")
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)

    def validate_bbox(self, value: str) -> tuple[float, ...]:
        try:  # the pattern lets "1..2" through
            west, south, east, north = (float(v) for v in value.split(","))
        except ValueError:
            raise serializers.ValidationError("bbox must be four numbers") from None
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise serializers.ValidationError("bbox must be west,south,east,north in WGS84")
        return (west, south, east, north)


def feature_geojson(feature: Feature, layer: Layer, principal: Principal) -> dict:
    """A feature as GeoJSON, with only the properties the principal may read."""
    properties = feature.properties
    if not principal.can_read_private(layer):
        public = set(layer.public_property_names())
        properties = {k: v for k, v in properties.items() if k in public}
    return {
        "type": "Feature", "id": feature.external_id,
        "geometry": json.loads(getattr(feature, "geojson", None) or feature.geom.json),
        "properties": properties,
        "observed_at": feature.observed_at, "commune_code": feature.commune_code,
        "commune_code_pre2025": feature.commune_code_pre2025,
        "district_code_pre2025": feature.district_code_pre2025,
    }


class FeatureInputSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Feature"])
    id = serializers.CharField(max_length=200)
    geometry = serializers.JSONField()
    properties = serializers.DictField(required=False, default=dict)
    observed_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class FeatureCollectionInput(serializers.Serializer):
    type = serializers.ChoiceField(choices=["FeatureCollection"])
    features = FeatureInputSerializer(many=True, allow_empty=False, max_length=10_000)


class UpsertOutput(serializers.Serializer):
    read = serializers.IntegerField()
    inserted = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class FeatureListApi(APIView):
    """GET: a layer's features the caller may read (GeoJSON). POST: upsert a FeatureCollection
    by `id` (= external id), all or nothing, inside the caller's jurisdiction."""

    access_policy = "scoped"
    token_scope = staticmethod(_read_or_write_scope)

    @extend_schema(operation_id="layers_features_list", parameters=[FeatureQueryInput],
                   responses={200: OpenApiTypes.OBJECT},
                   description="GeoJSON features, paginated (count/next/previous/results)")
    def get(self, request: Request, slug: str) -> Response:
        args = FeatureQueryInput(data=request.query_params)
        args.is_valid(raise_exception=True)
        principal = principal_of(request)
        layer = selectors.layer_get_visible(slug=slug, principal=principal)
        features = selectors.feature_list_visible(principal=principal, layer=layer,
                                                  **args.validated_data)
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(
            features.annotate(geojson=AsGeoJSON("geom", precision=7)), request, self)
        body = [feature_geojson(f, layer, principal) for f in page]
        return paginator.get_paginated_response(body)

    @extend_schema(operation_id="layers_features_upsert", request=FeatureCollectionInput,
                   responses={200: UpsertOutput})
    def post(self, request: Request, slug: str) -> Response:
        principal = principal_of(request)
        layer = selectors.layer_get_visible(slug=slug, principal=principal)
        data = FeatureCollectionInput(data=request.data)
        if not data.is_valid():
            raise FeatureValidationError("Dữ liệu không hợp lệ.", details=data.errors)
        items = [FeatureInput(f["id"], f["geometry"], f["properties"], f["observed_at"])
                 for f in data.validated_data["features"]]
        result = services.features_write(principal=principal, layer=layer, items=items)
        return Response({"read": result.read, "inserted": result.inserted,
                         "updated": result.updated, "unchanged": result.unchanged},
                        status=status.HTTP_200_OK)


class FeatureDetailApi(APIView):
    """GET one feature (404 when outside the caller's reach); DELETE it."""

    access_policy = "scoped"
    token_scope = staticmethod(_read_or_write_scope)

    @extend_schema(operation_id="layers_features_retrieve", responses={200: OpenApiTypes.OBJECT},
                   description="One GeoJSON feature")
    def get(self, request: Request, slug: str, external_id: str) -> Response:
        principal = principal_of(request)
        layer = selectors.layer_get_visible(slug=slug, principal=principal)
        feature = selectors.feature_get_visible(principal=principal, layer=layer,
                                                external_id=external_id)
        return Response(feature_geojson(feature, layer, principal))

    @extend_schema(operation_id="layers_features_destroy", responses={204: None})
    def delete(self, request: Request, slug: str, external_id: str) -> Response:
        principal = principal_of(request)
        layer = selectors.layer_get_visible(slug=slug, principal=principal)
        services.feature_delete(principal=principal, layer=layer, external_id=external_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
