"""The drill-down's own API: a unit's incidents (counts by status and category, overdue, the
newest) under the same filters as its layer figures (GET /api/units/{code}/stats/)."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access.principal import principal_of
from incidents.selectors import category_list
from incidents.transitions import Status
from incidents.unit_figures import IncidentFigures, unit_incident_figures
from layers.api import UnitStatsInput


class CodeListField(serializers.CharField):
    """Comma-separated codes, each one of `allowed()`."""

    def __init__(self, allowed, **kwargs):
        self.allowed = allowed
        super().__init__(max_length=2000, **kwargs)

    def to_internal_value(self, data) -> list[str]:
        codes = [code for code in super().to_internal_value(data).split(",") if code]
        unknown = sorted(set(codes) - set(self.allowed()))
        if unknown:
            raise serializers.ValidationError(f"Mã không có trong danh mục: {', '.join(unknown)}.")
        return codes


class UnitIncidentsInput(UnitStatsInput):
    layer = None
    category = CodeListField(lambda: [c.code for c in category_list()], required=False,
                             help_text="mã loại sự cố, cách nhau bởi dấu phẩy")
    status = CodeListField(lambda: Status.values, required=False,
                           help_text="tình trạng, cách nhau bởi dấu phẩy")


class UnitIncidentsApi(APIView):
    """Incidents of a unit the caller may read, for the drill-down's panel."""

    access_policy = "scoped"
    token_scope = "layers:read"

    @extend_schema(parameters=[UnitIncidentsInput], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, code: str) -> Response:
        query = UnitIncidentsInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        args = query.validated_data
        unit, figures = unit_incident_figures(
            principal=principal_of(request), code=code, generation=args["generation"],
            since=args.get("since"), until=args.get("until"), category=args.get("category"),
            status=args.get("status"))
        return Response(_output(unit, args, figures))


def _output(unit, args: dict, figures: IncidentFigures) -> dict:
    labels = dict(Status.choices)
    return {
        "unit": {"code": unit.code, "name": unit.name, "level": unit.level.lower(),
                 "generation": args["generation"]},
        "since": args.get("since"), "until": args.get("until"),
        "total": figures.total, "open": figures.open, "overdue": figures.overdue,
        "by_status": [{"code": code, "label": labels[code], "count": figures.by_status[code]}
                      for code in Status.values if code in figures.by_status],
        "by_category": [{"code": code, "name": name_vi, "name_en": name_en, "count": n}
                        for code, name_vi, name_en, n in figures.by_category],
        "recent": [{"id": i.public_id, "title": i.title, "category": i.category.code,
                    "status": i.status, "created_at": i.created_at, "due_at": i.due_at,
                    "commune_code": i.commune_code} for i in figures.recent],
    }
