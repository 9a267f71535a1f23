"""The dashboard's API (/api/dashboard/…): one KPI across the child units of a unit (the
choropleth and the ranking), the records behind a computed KPI, and the briefing file. Thin:
validate the input, one selector or builder call, render. Visibility is the KPI app's
(kpi.selectors) and the records' owners' (incidents, layers)."""
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access.principal import principal_of
from kpi.units import CURRENT, GENERATIONS
from layers.api import CODE_PATTERN
from layers.models import Sector

from . import conf
from .briefing import FORMATS, HTML, briefing_build
from .output import across_data, records_data
from .selectors import kpi_across_units, kpi_records

PERIOD_HELP = "kỳ hoặc ngày: 2025 | 2025-Q3 | 2025-07 | 2025-07-14; mặc định: hôm nay"
_CODE = OpenApiParameter("code", str, OpenApiParameter.PATH)


class UnitPeriodInput(serializers.Serializer):
    unit = serializers.RegexField(CODE_PATTERN, required=False,
                                  help_text="mã GSO của đơn vị; mặc định: tỉnh")
    generation = serializers.ChoiceField(choices=GENERATIONS, required=False, default=CURRENT,
                                         help_text="current (sau 1/7/2025) hoặc pre2025")
    period = serializers.CharField(required=False, max_length=20, help_text=PERIOD_HELP)


class BriefingInput(UnitPeriodInput):
    kpi = serializers.SlugField(required=False, max_length=63,
                                help_text="chỉ số tô màu bản đồ và vẽ biểu đồ")
    sector = serializers.ChoiceField(choices=Sector.values, required=False)
    format = serializers.ChoiceField(choices=FORMATS, required=False, default=HTML)


def _valid(serializer_class, request: Request) -> dict:
    given = {k: v for k, v in request.query_params.items() if v.strip()}
    query = serializer_class(data=given)
    query.is_valid(raise_exception=True)
    return query.validated_data


class KpiUnitsApi(APIView):
    """A KPI for a unit and each of its child units on the caller's ground in the period its
    card shows (the latest with a value up to `period`): value, target, status, rank."""

    access_policy = "scoped"
    token_scope = "layers:read"

    @extend_schema(parameters=[UnitPeriodInput, _CODE], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, code: str) -> Response:
        args = _valid(UnitPeriodInput, request)
        answer = kpi_across_units(principal=principal_of(request), code=code,
                                  unit_code=args.get("unit"), generation=args["generation"],
                                  as_of=args.get("period"))
        return Response(across_data(answer))


class KpiRecordsApi(APIView):
    """The records behind a computed KPI's figure for a unit and period (incidents or layer
    features the caller may read, newest first), with the figure; 400 for imported KPIs."""

    access_policy = "scoped"
    token_scope = "layers:read"

    @extend_schema(parameters=[UnitPeriodInput, _CODE], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, code: str) -> Response:
        args = _valid(UnitPeriodInput, request)
        principal = principal_of(request)
        answer = kpi_records(principal=principal, code=code, unit_code=args.get("unit"),
                             generation=args["generation"], period=args.get("period"),
                             limit=conf.get("IOC_DASHBOARD_RECORDS_LIMIT"))
        return Response(records_data(answer, principal))


class FileFormatNegotiation(DefaultContentNegotiation):
    """`?format=` names the briefing's file format here, not DRF's renderer override (which
    would answer 404 to `format=pdf`); errors are still JSON."""

    class settings:  # noqa: N801 (stands in for DRF's api_settings)
        URL_FORMAT_OVERRIDE = None


class BriefingApi(APIView):
    """A briefing for a unit and period as one self-contained file (HTML opening with no
    network; PDF when the server has WeasyPrint): KPIs with status, the attention list,
    charts and a map. For staff who may export data."""

    access_policy = "scoped"
    token_scope = "layers:read"
    content_negotiation_class = FileFormatNegotiation

    @extend_schema(parameters=[BriefingInput],
                   responses={(200, "text/html"): OpenApiTypes.STR,
                              (200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request: Request) -> HttpResponse:
        args = _valid(BriefingInput, request)
        briefing = briefing_build(principal=principal_of(request), unit_code=args.get("unit"),
                                  generation=args["generation"], as_of=args.get("period"),
                                  kpi_code=args.get("kpi"), sector=args.get("sector"),
                                  file_format=args["format"])
        response = HttpResponse(briefing.content, content_type=briefing.content_type)
        response["Content-Disposition"] = briefing.disposition
        response["Cache-Control"] = "private, no-store"
        return response
