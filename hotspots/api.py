"""GET /api/hotspots/ (cells with Gi*, GeoJSON) and GET /api/hotspots/patterns/ (day of week ×
hour). Thin: read the query, one selector call, render. Unknown or repeated parameters are a
400, never ignored."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access.principal import principal_of
from incidents.api import CodeListField
from incidents.selectors import category_codes
from layers.models import Sector

from . import conf
from .errors import UnknownParameter
from .grid import HEX, SHAPES
from .output import hotspots_collection, patterns_data
from .selectors import hotspot_patterns, hotspots


class PatternsInput(serializers.Serializer):
    category = CodeListField(category_codes, help_text="mã loại sự cố, cách nhau bởi dấu phẩy")
    sector = serializers.ChoiceField(Sector.choices, required=False)
    since = serializers.DateField(required=False, help_text="từ ngày (giờ Việt Nam)")
    until = serializers.DateField(required=False,
                                  help_text="đến hết ngày (giờ Việt Nam); mặc định hôm nay")


class HotspotsInput(PatternsInput):
    cell = serializers.IntegerField(required=False, help_text="cạnh ô (mét), 1000–10000")
    shape = serializers.ChoiceField(SHAPES, required=False, default=HEX)

    def validate_cell(self, value: int) -> int:
        low, high = conf.get("IOC_HOTSPOTS_CELL_MIN"), conf.get("IOC_HOTSPOTS_CELL_MAX")
        if not low <= value <= high:
            raise serializers.ValidationError(f"Kích thước ô phải từ {low} đến {high} mét.")
        return value


def _query(form: type[serializers.Serializer], request: Request) -> dict:
    """The validated query: blank values mean "not given"; unknown or repeated names are a 400."""
    params = request.query_params
    unknown = sorted(set(params) - set(form().fields))
    repeated = sorted(name for name in params if len(params.getlist(name)) > 1)
    if unknown or repeated:
        raise UnknownParameter("Tham số không được hỗ trợ hoặc lặp lại.",
                               details={"unknown": unknown, "repeated": repeated})
    query = form(data={name: value for name, value in params.items() if value.strip()})
    query.is_valid(raise_exception=True)
    return query.validated_data


class HotspotsApi(APIView):
    """Incident hotspots: counts per hexagon or square with Getis–Ord Gi* (z, p, class) and the
    dominant category, over the caller's ground; the summary lists the hottest cells."""

    access_policy = "scoped"
    token_scope = "layers:read"

    @extend_schema(parameters=[HotspotsInput], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        args = _query(HotspotsInput, request)
        result = hotspots(principal=principal_of(request), category=args.get("category"),
                          sector=args.get("sector"), since=args.get("since"),
                          until=args.get("until"), cell_m=args.get("cell"), shape=args["shape"])
        return Response(hotspots_collection(result, args))


class HotspotPatternsApi(APIView):
    """The same incidents by day of week and hour of day (Vietnam time): a 7 × 24 matrix."""

    access_policy = "scoped"
    token_scope = "layers:read"

    @extend_schema(parameters=[PatternsInput], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        args = _query(PatternsInput, request)
        patterns = hotspot_patterns(principal=principal_of(request), **args)
        return Response(patterns_data(patterns, args))
