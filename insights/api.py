"""/api/insights/… — KPIs that need attention, and forecasts. Thin: validate the query, one
domain call, render. Visibility is the KPI API's (kpi.selectors), applied in the domain."""
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access.principal import principal_of
from kpi import periods
from kpi.api import UnitInput
from kpi.models import Kpi
from kpi.units import RefUnit
from layers.models import Sector

from .forecasts import MIN_ORIGINS, MIN_TRAIN
from .models import MODEL_LABELS, Attention, AttentionKind, Severity
from .selectors import attention_list_visible
from .services import ForecastAnswer, forecast_for

LIST_LIMIT = 1000


def kpi_data(kpi: Kpi) -> dict:
    """A KPI as the insights name it."""
    return {"code": kpi.code, "name": kpi.name_vi, "name_en": kpi.name_en,
            "sector": kpi.sector, "unit": kpi.unit_vi, "unit_en": kpi.unit_en,
            "direction": kpi.direction, "periodicity": kpi.periodicity,
            "decimals": kpi.decimals}


def unit_data(code: str, name: str, level: str, generation: str | None) -> dict:
    """A unit as the insights name it."""
    return {"code": code, "name": name, "level": level.lower(), "generation": generation}


def attention_data(item: Attention) -> dict:
    """One "needs attention" item."""
    since = periods.Period(item.since, item.kpi.periodicity).label
    generation = None if item.unit.level == "PROVINCE" else item.generation
    return {"kpi": kpi_data(item.kpi),
            "unit": unit_data(item.unit.code, item.unit.name, item.unit.level, generation),
            "kind": item.kind, "kind_label": AttentionKind(item.kind).label,
            "evidence": item.evidence, "since": since, "since_start": item.since,
            "detected_at": item.detected_at, "last_seen_at": item.last_seen_at,
            "severity": item.severity, "severity_label": Severity(item.severity).label}


class AttentionInput(UnitInput):
    """The list's filters: unit (none: every unit of the generation), sector, kind, limit."""

    sector = serializers.ChoiceField(choices=Sector.values, required=False)
    kind = serializers.ChoiceField(choices=AttentionKind.values, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=LIST_LIMIT, required=False,
                                     default=200)


class ForecastInput(UnitInput):
    """Which KPI, at which unit (default: the province), how many periods ahead."""

    kpi = serializers.SlugField(max_length=63, help_text="mã chỉ số")
    horizon = serializers.IntegerField(required=False, min_value=1, max_value=100,
                                       help_text="số kỳ dự báo; mặc định 3, tối đa 6")


_ATTENTION = inline_serializer("InsightAttention", {
    "kpi": serializers.DictField(), "unit": serializers.DictField(),
    "kind": serializers.ChoiceField(choices=AttentionKind.values),
    "kind_label": serializers.CharField(), "evidence": serializers.DictField(),
    "since": serializers.CharField(), "since_start": serializers.DateField(),
    "detected_at": serializers.DateTimeField(), "last_seen_at": serializers.DateTimeField(),
    "severity": serializers.CharField(), "severity_label": serializers.CharField()},
    many=True)
_POINT = inline_serializer("InsightForecastPoint", {
    "period": serializers.CharField(), "value": serializers.FloatField(),
    "lo80": serializers.FloatField(), "hi80": serializers.FloatField(),
    "lo95": serializers.FloatField(), "hi95": serializers.FloatField()}, many=True)


def _valid(serializer_class, request: Request) -> dict:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


class AttentionListApi(APIView):
    """KPIs and units that need attention — a deteriorating trend or a streak of periods off
    target — with the evidence, most severe first."""

    access_policy = "scoped"
    token_scope = "layers:read"

    @extend_schema(parameters=[AttentionInput], responses=inline_serializer(
        "InsightAttentionList", {"count": serializers.IntegerField(),
                                 "results": _ATTENTION}))
    def get(self, request: Request) -> Response:
        args = _valid(AttentionInput, request)
        found = attention_list_visible(
            principal=principal_of(request), unit_code=args.get("unit"),
            generation=args["generation"], sector=args.get("sector"), kind=args.get("kind"),
            limit=args["limit"])
        return Response({"count": found.count,
                         "results": [attention_data(item) for item in found.items]})


def forecast_data(answer: ForecastAnswer) -> dict:
    """The forecast answer: history, the chosen model and its error beside every point."""
    unit: RefUnit = answer.unit
    stored = answer.forecast
    body = {"kpi": kpi_data(answer.kpi),
            "unit": unit_data(unit.code, unit.name, unit.level,
                              unit.generation or answer.generation),
            "horizon": answer.horizon,
            "history": [{"period": p.label, "value": v} for p, v in answer.history],
            "model": None, "model_label": None, "mape": None, "metric": None,
            "candidates": [], "points": [], "computed_at": None,
            "based_on_last_period": None, "backtest": None, "reason": None}
    if stored is None:
        body["reason"] = _("Chưa đủ số liệu để dự báo (cần ít nhất %(count)s kỳ liên tiếp).") % {
            "count": MIN_TRAIN + MIN_ORIGINS}
        return body
    body.update({
        "model": stored.model, "model_label": str(MODEL_LABELS.get(stored.model, stored.model)),
        "mape": stored.mape, "metric": stored.metric,
        "candidates": [{**c, "model_label": str(MODEL_LABELS.get(c["model"], c["model"]))}
                       for c in stored.candidates],
        "points": answer.points, "computed_at": stored.computed_at,
        "based_on_last_period": answer.history[-1][0].label if answer.history else None,
        "backtest": stored.backtest})
    return body


class ForecastApi(APIView):
    """A KPI's forecast at a unit: the next periods with 80 % and 95 % prediction intervals,
    from the model with the lowest backtest error (MAPE, or sMAPE when an actual is 0), shown
    with every candidate's error. Computed on demand when missing or out of date."""

    access_policy = "scoped"
    token_scope = "layers:read"

    @extend_schema(parameters=[ForecastInput], responses=inline_serializer("InsightForecast", {
        "kpi": serializers.DictField(), "unit": serializers.DictField(),
        "horizon": serializers.IntegerField(),
        "history": serializers.ListField(child=serializers.DictField()),
        "model": serializers.CharField(allow_null=True),
        "model_label": serializers.CharField(allow_null=True),
        "mape": serializers.FloatField(allow_null=True),
        "metric": serializers.CharField(allow_null=True),
        "candidates": serializers.ListField(child=serializers.DictField()),
        "points": _POINT, "computed_at": serializers.DateTimeField(allow_null=True),
        "based_on_last_period": serializers.CharField(allow_null=True),
        "backtest": serializers.DictField(allow_null=True),
        "reason": serializers.CharField(allow_null=True)}))
    def get(self, request: Request) -> Response:
        args = _valid(ForecastInput, request)
        answer = forecast_for(principal=principal_of(request), code=args["kpi"],
                              unit_code=args.get("unit"), generation=args["generation"],
                              horizon=args.get("horizon"))
        return Response(forecast_data(answer))

