"""REST endpoints of the KPI app (/api/kpi/…). Thin: validate the input, one selector or
service call, render the output. Visibility rules live in kpi.selectors."""
import tempfile
from pathlib import Path

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access.principal import principal_of
from layers.api import CODE_PATTERN
from layers.models import Sector

from . import conf, selectors
from .errors import ImportFileInvalid
from .imports import kpi_values_import
from .models import Kpi, KpiTarget
from .output import card_data, figure_data, unit_data
from .units import CURRENT, GENERATIONS

PERIOD_HELP = "2025 | 2025-Q3 | 2025-07 | 2025-07-14"


class KpiOutput(serializers.ModelSerializer):
    numerator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    denominator = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Kpi
        fields = ["code", "name_vi", "name_en", "definition_vi", "definition_en", "unit_vi",
                  "unit_en", "sector", "direction", "periodicity", "grain", "aggregation",
                  "numerator", "denominator", "scale", "owner_department", "source",
                  "computation", "amber_margin_pct", "decimals", "is_public"]


class TargetOutput(serializers.ModelSerializer):
    unit = serializers.SerializerMethodField()

    class Meta:
        model = KpiTarget
        fields = ["unit", "effective_from", "value", "note"]

    def get_unit(self, target: KpiTarget) -> dict | None:
        if target.unit is None:
            return None
        return {"code": target.unit.code, "name": target.unit.name,
                "level": target.unit.level.lower(), "valid_to": target.unit.valid_to}


class KpiDetailOutput(KpiOutput):
    targets = serializers.SerializerMethodField()

    class Meta(KpiOutput.Meta):
        fields = [*KpiOutput.Meta.fields, "targets"]

    def get_targets(self, kpi: Kpi) -> list[dict]:
        return TargetOutput(self.context["targets"], many=True).data


class KpiListInput(serializers.Serializer):
    sector = serializers.ChoiceField(choices=Sector.values, required=False)


class UnitInput(serializers.Serializer):
    unit = serializers.RegexField(CODE_PATTERN, required=False,
                                  help_text="mã GSO của đơn vị; mặc định: tỉnh")
    generation = serializers.ChoiceField(choices=GENERATIONS, required=False, default=CURRENT,
                                         help_text="current (sau 1/7/2025) hoặc pre2025")


class SeriesInput(UnitInput):
    since = serializers.CharField(required=False, max_length=20, help_text=PERIOD_HELP)
    until = serializers.CharField(required=False, max_length=20, help_text=PERIOD_HELP)


class SummaryInput(UnitInput):
    period = serializers.CharField(required=False, max_length=20,
                                   help_text=f"tính đến kỳ/ngày ({PERIOD_HELP}); mặc định: hôm nay")
    sector = serializers.ChoiceField(choices=Sector.values, required=False)


def _valid(serializer_class, request: Request) -> dict:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


class KpiListApi(APIView):
    """The KPI catalogue the caller may see (public KPIs for everybody; staff data by sector)."""

    access_policy = "scoped"
    token_scope = "layers:read"

    @extend_schema(operation_id="kpi_list", parameters=[KpiListInput], responses=inline_serializer(
        "KpiList", {"count": serializers.IntegerField(), "results": KpiOutput(many=True)}))
    def get(self, request: Request) -> Response:
        args = _valid(KpiListInput, request)
        kpis = selectors.kpi_list_visible(principal=principal_of(request),
                                          sector=args.get("sector"))
        return Response({"count": len(kpis), "results": KpiOutput(kpis, many=True).data})


class KpiDetailApi(APIView):
    """One KPI: its definition and the targets on the caller's ground."""

    access_policy = "scoped"
    token_scope = "layers:read"

    @extend_schema(operation_id="kpi_detail", responses=KpiDetailOutput,
                   parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH)])
    def get(self, request: Request, code: str) -> Response:
        principal = principal_of(request)
        kpi = selectors.kpi_get_visible(principal=principal, code=code)
        targets = selectors.kpi_targets_visible(principal=principal, kpi=kpi)
        return Response(KpiDetailOutput(kpi, context={"targets": targets}).data)


class FigureOutput(serializers.Serializer):
    period = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    value = serializers.FloatField(allow_null=True)
    target = serializers.FloatField(allow_null=True)
    status = serializers.ChoiceField(choices=["green", "amber", "red", "grey"])
    status_reason = serializers.CharField(allow_null=True, help_text="no_value | no_target")
    shortfall_pct = serializers.FloatField(allow_null=True)
    origin = serializers.CharField(allow_null=True,
                                   help_text="recorded | rolled_up | crosswalk | ratio")
    provenance = serializers.DictField(allow_null=True,
                                       help_text="source, run, recorded_at, note (recorded)")


class UnitRefOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    generation = serializers.CharField()


class TrendOutput(serializers.Serializer):
    arrow = serializers.CharField(allow_null=True, help_text="up | down | flat")
    good = serializers.BooleanField(allow_null=True)
    change = serializers.FloatField(allow_null=True)
    change_pct = serializers.FloatField(allow_null=True)


class SparkOutput(serializers.Serializer):
    period = serializers.CharField()
    value = serializers.FloatField(allow_null=True)


class CardOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    sector = serializers.CharField()
    unit = serializers.CharField()
    unit_en = serializers.CharField()
    direction = serializers.CharField()
    periodicity = serializers.CharField()
    decimals = serializers.IntegerField()
    is_public = serializers.BooleanField()
    status = serializers.CharField()
    status_reason = serializers.CharField(allow_null=True)
    latest = FigureOutput(allow_null=True)
    previous = FigureOutput(allow_null=True)
    trend = TrendOutput()
    sparkline = SparkOutput(many=True)


class KpiValuesApi(APIView):
    """A KPI's series for a unit of either generation: value (recorded, rolled up, across the
    crosswalk or from a ratio's parts), target and status per period, with provenance."""

    access_policy = "scoped"
    token_scope = "layers:read"

    @extend_schema(operation_id="kpi_values",
                   parameters=[SeriesInput, OpenApiParameter("code", str, OpenApiParameter.PATH)],
                   responses=inline_serializer("KpiSeries", {
                       "kpi": KpiOutput(), "unit": UnitRefOutput(),
                       "periods": FigureOutput(many=True)}))
    def get(self, request: Request, code: str) -> Response:
        args = _valid(SeriesInput, request)
        series = selectors.kpi_series(
            principal=principal_of(request), code=code, unit_code=args.get("unit"),
            generation=args["generation"], since=args.get("since"), until=args.get("until"))
        return Response({"kpi": KpiOutput(series.kpi).data,
                         "unit": unit_data(series.unit, series.generation),
                         "periods": [figure_data(f) for f in series.figures]})


class KpiSummaryApi(APIView):
    """Every KPI's latest value for a unit, with target, status, trend and sparkline (the
    dashboard's cards)."""

    access_policy = "scoped"
    token_scope = "layers:read"

    @extend_schema(operation_id="kpi_summary", parameters=[SummaryInput],
                   responses=inline_serializer("KpiSummary", {
                       "unit": UnitRefOutput(), "as_of": serializers.DateField(),
                       "cards": CardOutput(many=True)}))
    def get(self, request: Request) -> Response:
        args = _valid(SummaryInput, request)
        summary = selectors.kpi_summary(
            principal=principal_of(request), unit_code=args.get("unit"),
            generation=args["generation"], as_of=args.get("period"), sector=args.get("sector"))
        return Response({"unit": unit_data(summary.unit, summary.generation),
                         "as_of": summary.as_of, "cards": [card_data(c) for c in summary.cards]})


class ImportInput(serializers.Serializer):
    file = serializers.FileField(help_text="CSV hoặc XLSX: kpi, unit, period, value[, note, "
                                           "generation]")


class KpiImportApi(APIView):
    """Import values from a CSV/XLSX file: all rows valid and written in one transaction, or
    400 with every bad row and nothing written. Upsert by (kpi, unit, period)."""

    access_policy = "scoped"
    token_scope = "kpi:write"
    parser_classes = [MultiPartParser]

    @extend_schema(operation_id="kpi_values_import",
                   request={"multipart/form-data": ImportInput}, responses={
        201: inline_serializer("KpiImportReport", {
            "run": serializers.IntegerField(), "rows": serializers.IntegerField(),
            "inserted": serializers.IntegerField(), "updated": serializers.IntegerField(),
            "unchanged": serializers.IntegerField()})})
    def post(self, request: Request) -> Response:
        upload = ImportInput(data=request.data)
        upload.is_valid(raise_exception=True)
        source = upload.validated_data["file"]
        if source.size > conf.get("IOC_KPI_IMPORT_MAX_BYTES"):
            raise ImportFileInvalid(f"Tệp {source.size / 1e6:.1f} MB vượt giới hạn "
                                    f"{conf.get('IOC_KPI_IMPORT_MAX_BYTES') / 1e6:.0f} MB.")
        with tempfile.TemporaryDirectory(prefix="kpi-import-") as directory:
            path = Path(directory) / "upload"  # our name; the client's never reaches a path
            with path.open("wb") as target:
                for chunk in source.chunks():
                    target.write(chunk)
            report = kpi_values_import(principal=principal_of(request), path=path,
                                       file_name=source.name or "",
                                       user=request.user if request.user.is_authenticated
                                       else None)
        return Response({"run": report.run.pk, "rows": report.rows,
                         "inserted": report.counts.inserted, "updated": report.counts.updated,
                         "unchanged": report.counts.unchanged}, status=201)
