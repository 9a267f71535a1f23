"""The planner's API (/api/planner/): what lies inside a drawn polygon, and the briefing map.
Thin: input, one domain call, output; errors in the API's one format."""
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access.principal import principal_of
from layers.exports import BboxQueryInput

from .briefing import briefing_build
from .selectors import WithinAnswer, planner_within

SLUG_LIST = r"^[a-z][a-z0-9-]{1,62}(,[a-z][a-z0-9-]{1,62}){0,49}$"


class WithinInput(serializers.Serializer):
    polygon = serializers.JSONField(help_text="GeoJSON Polygon, WGS84, inside the province")
    layers = serializers.ListField(child=serializers.SlugField(max_length=63), allow_empty=False,
                                   max_length=50, help_text="layer slugs")


def _within_output(answer: WithinAnswer) -> dict:
    return {"area_km2": round(answer.area_km2, 3), "layers": [
        {"slug": item.layer.slug, "title_vi": item.layer.title_vi,
         "title_en": item.layer.title_en, "count": item.count, "features": item.first}
        for item in answer.layers]}


class WithinApi(APIView):
    """POST {polygon, layers}: per layer, how many features the caller may read intersect the
    polygon, and the first few (public properties only)."""

    access_policy = "scoped"
    token_scope = "layers:read"

    @extend_schema(operation_id="planner_within", request=WithinInput,
                   responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = WithinInput(data=request.data)
        data.is_valid(raise_exception=True)
        answer = planner_within(principal=principal_of(request),
                                polygon=data.validated_data["polygon"],
                                slugs=data.validated_data["layers"])
        return Response(_within_output(answer))


class BriefingInput(BboxQueryInput):
    layers = serializers.RegexField(SLUG_LIST, help_text="comma-separated layer slugs")


class BriefingApi(APIView):
    """GET ?layers=a,b&bbox=…: a self-contained HTML briefing map (download) of the layers'
    features the caller may export, opening with no network."""

    access_policy = "scoped"
    token_scope = "layers:read"

    @extend_schema(operation_id="planner_briefing", parameters=[BriefingInput],
                   responses={(200, "text/html"): OpenApiTypes.STR})
    def get(self, request: Request) -> HttpResponse:
        query = BriefingInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        args = query.validated_data
        briefing = briefing_build(principal=principal_of(request),
                                  slugs=args["layers"].split(","), bbox=args.get("bbox"),
                                  since=args.get("since"), until=args.get("until"))
        response = HttpResponse(briefing.html, content_type="text/html; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{briefing.filename}"'
        response["Cache-Control"] = "private, no-store"
        return response
