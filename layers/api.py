"""REST endpoints of the layers app. Each view reads its input, makes one selector call and
renders the result; errors are raised as named domain errors and rendered in one format."""
import json
import math

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.contrib.gis.geos import Point
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access.principal import principal_of
from ioc_gis.api.pagination import LimitOffsetPagination

from . import selectors, stats
from .models import AdminLevel, AdminUnit, Layer

LEVELS = {"province": AdminLevel.PROVINCE, "district": AdminLevel.DISTRICT,
          "commune": AdminLevel.COMMUNE}
CODE_PATTERN = r"^[0-9]{2,5}$"


class UnitQueryInput(serializers.Serializer):
    date = serializers.DateField(required=False, help_text="YYYY-MM-DD; mặc định: hôm nay")
    level = serializers.ChoiceField(choices=sorted(LEVELS), required=False)
    parent = serializers.RegexField(CODE_PATTERN, required=False)
    q = serializers.CharField(required=False, max_length=100, trim_whitespace=True)
    geometry = serializers.BooleanField(required=False, default=False)

    def validated(self) -> dict:
        """Validated values with the defaults filled in (raises ValidationError → 400)."""
        self.is_valid(raise_exception=True)
        data = dict(self.validated_data)
        data.setdefault("date", timezone.localdate())
        return data


class UnitSummaryOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.SerializerMethodField()
    division_type = serializers.CharField(source="get_division_type_display")
    parent_code = serializers.CharField(source="parent.code", default=None)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()
    is_approximate = serializers.BooleanField()
    population = serializers.IntegerField()
    area_km2 = serializers.FloatField()

    def get_level(self, unit: AdminUnit) -> str:
        return unit.level.lower()

    def to_representation(self, unit: AdminUnit) -> dict:
        data = super().to_representation(unit)
        if getattr(unit, "geojson", None) is not None:
            data["geometry"] = json.loads(unit.geojson)
        return data


class UnitDetailOutput(UnitSummaryOutput):
    ancestors = serializers.SerializerMethodField()
    predecessors = serializers.SerializerMethodField()
    successors = serializers.SerializerMethodField()

    def get_ancestors(self, unit: AdminUnit) -> list[dict]:
        return [{"code": u.code, "name": u.name, "level": u.level.lower()}
                for u in selectors.unit_ancestors(unit=unit)]

    def _links(self, rows, side: str) -> list[dict]:
        return [{"code": getattr(r, side).code, "name": getattr(r, side).name,
                 "valid_from": getattr(r, side).valid_from, "valid_to": getattr(r, side).valid_to,
                 "change_type": r.change_type.lower(), "effective": r.effective,
                 "area_share": r.area_share, "is_inferred": r.is_inferred} for r in rows]

    def get_predecessors(self, unit: AdminUnit) -> list[dict]:
        return self._links(unit.crosswalk_from.select_related("old_unit").order_by("old_unit__code"),
                           "old_unit")

    def get_successors(self, unit: AdminUnit) -> list[dict]:
        return self._links(unit.crosswalk_to.select_related("new_unit").order_by("new_unit__code"),
                           "new_unit")


def _with_geometry(units, wanted: bool):
    return units.annotate(geojson=AsGeoJSON("geom", precision=6)) if wanted else units


class UnitListApi(APIView):
    """Administrative units in force on a date."""

    access_policy = "public-reference"
    token_scope = "units:read"

    @extend_schema(parameters=[UnitQueryInput], responses=UnitSummaryOutput(many=True))
    def get(self, request: Request) -> Response:
        args = UnitQueryInput(data=request.query_params).validated()
        units = selectors.unit_list(day=args["date"], level=LEVELS.get(args.get("level")),
                                    parent_code=args.get("parent"), query=args.get("q"))
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(_with_geometry(units, args["geometry"]), request, self)
        return paginator.get_paginated_response(UnitSummaryOutput(page, many=True).data)


class UnitDetailApi(APIView):
    """One administrative unit, as in force on a date, with its ancestors and crosswalk links."""

    access_policy = "public-reference"
    token_scope = "units:read"

    @extend_schema(parameters=[UnitQueryInput], responses=UnitDetailOutput)
    def get(self, request: Request, code: str) -> Response:
        args = UnitQueryInput(data=request.query_params).validated()
        unit = selectors.unit_get(code=code, day=args["date"])
        if args["geometry"]:
            unit = _with_geometry(AdminUnit.objects.filter(pk=unit.pk), True).get()
        return Response(UnitDetailOutput(unit).data)


class FiniteFloatField(serializers.FloatField):
    """A float that must be a real number: DRF lets 'nan' and 'inf' through."""

    def to_internal_value(self, data) -> float:
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("invalid")
        return value


class LocateInput(serializers.Serializer):
    lon = FiniteFloatField(min_value=-180, max_value=180)
    lat = FiniteFloatField(min_value=-90, max_value=90)
    date = serializers.DateField(required=False)


class UnitLocateApi(APIView):
    """The commune (and its ancestors) containing a WGS84 point on a date."""

    access_policy = "public-reference"
    token_scope = "units:read"

    @extend_schema(parameters=[LocateInput], responses=UnitSummaryOutput(many=True))
    def get(self, request: Request) -> Response:
        args = LocateInput(data=request.query_params)
        args.is_valid(raise_exception=True)
        day = args.validated_data.get("date") or timezone.localdate()
        point = Point(args.validated_data["lon"], args.validated_data["lat"], srid=4326)
        chain = selectors.unit_chain_at(point=point, day=day)
        return Response({"date": day, "units": UnitSummaryOutput(chain, many=True).data})


class LayerOutput(serializers.ModelSerializer):
    properties = serializers.SerializerMethodField(help_text="Public properties: JSON Schema")
    update_interval_seconds = serializers.SerializerMethodField()

    class Meta:
        model = Layer
        fields = ["slug", "title_vi", "title_en", "description_vi", "sector", "geometry_kind",
                  "source", "min_zoom", "max_zoom", "owner_department", "update_interval_seconds",
                  "is_public", "is_temporal", "attribution", "default_style", "properties"]

    def get_properties(self, layer: Layer) -> dict:
        props = layer.property_schema.get("properties", {})
        return {name: props[name] for name in layer.public_property_names()}

    def get_update_interval_seconds(self, layer: Layer) -> int | None:
        return int(layer.update_interval.total_seconds()) if layer.update_interval else None


class LayerListApi(APIView):
    """The layers the caller may see."""

    access_policy = "scoped"
    token_scope = "layers:read"

    @extend_schema(responses=LayerOutput(many=True))
    def get(self, request: Request) -> Response:
        layers = selectors.layer_list_visible(principal=principal_of(request))
        return Response({"count": len(layers), "results": LayerOutput(layers, many=True).data})


class LayerDetailApi(APIView):
    """One layer, if the caller may see it."""

    access_policy = "scoped"
    token_scope = "layers:read"

    @extend_schema(responses=LayerOutput, parameters=[
        OpenApiParameter("slug", str, OpenApiParameter.PATH)])
    def get(self, request: Request, slug: str) -> Response:
        layer = selectors.layer_get_visible(slug=slug, principal=principal_of(request))
        return Response(LayerOutput(layer).data)


class UnitStatsInput(serializers.Serializer):
    generation = serializers.ChoiceField(choices=stats.GENERATIONS, required=False,
                                         default=stats.CURRENT,
                                         help_text="current (sau 1/7/2025) hoặc pre2025")
    layer = serializers.SlugField(required=False, max_length=63,
                                  help_text="lớp cho bản đồ phân tầng theo đơn vị con")
    since = serializers.DateField(required=False, help_text="từ ngày (lớp sự kiện)")
    until = serializers.DateField(required=False, help_text="đến hết ngày (lớp sự kiện)")

    def validate(self, data: dict) -> dict:
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise serializers.ValidationError({"until": "Phải từ ngày 'since' trở đi."})
        return data


class UnitStatsApi(APIView):
    """A unit's figures for the drill-down: features of every layer the caller may see inside
    the unit, and, with `layer`, that layer's counts per child unit (the choropleth)."""

    access_policy = "scoped"
    token_scope = "layers:read"

    @extend_schema(parameters=[UnitStatsInput], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, code: str) -> Response:
        query = UnitStatsInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        args = query.validated_data
        figures = stats.unit_stats(
            principal=principal_of(request), code=code, generation=args["generation"],
            layer_slug=args.get("layer"),
            window=stats.Window(args.get("since"), args.get("until")))
        return Response(_stats_output(figures))


def _unit_ref(unit: AdminUnit) -> dict:
    return {"code": unit.code, "name": unit.name, "level": unit.level.lower()}


def _stats_output(figures: "stats.UnitStats") -> dict:
    window = figures.window
    return {
        "unit": {**_unit_ref(figures.unit), "generation": figures.generation,
                 "bbox": figures.bbox, "approximate": figures.unit.is_approximate},
        "breadcrumb": [_unit_ref(unit) for unit in figures.breadcrumb],
        "since": window.since, "until": window.until,
        "layers": [{"slug": layer.slug, "title": layer.title_vi, "title_en": layer.title_en,
                    "temporal": layer.is_temporal,
                    "count": count} for layer, count in figures.layer_counts],
        "choropleth": None if figures.layer is None else {
            "layer": figures.layer.slug,
            "level": figures.child_level.lower() if figures.child_level else None,
            "units": [{**_unit_ref(unit), "count": count}
                      for unit, count in figures.child_counts]},
    }
