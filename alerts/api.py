"""/api/alerts/… — the caller's alerts and acknowledging one. Thin: read input, one domain
call, write output."""
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access.principal import principal_of

from . import selectors, services
from .models import Alert, AlertKind

LIST_LIMIT = 200


class AlertOutput(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    severity_label = serializers.CharField(source="get_severity_display")
    acknowledged_by = serializers.SerializerMethodField()
    is_open = serializers.BooleanField()

    class Meta:
        model = Alert
        fields = ["id", "kind", "kind_label", "subject", "owner_department", "sector",
                  "severity", "severity_label", "title", "detail", "evidence", "link",
                  "raised_at", "last_seen_at", "resolved_at", "acknowledged_at",
                  "acknowledged_by", "is_open"]

    def get_acknowledged_by(self, alert: Alert) -> str | None:
        user = alert.acknowledged_by
        return (user.get_full_name() or user.get_username()) if user else None


class AlertQueryInput(serializers.Serializer):
    state = serializers.ChoiceField(choices=selectors.STATES, required=False, default="open")
    kind = serializers.ChoiceField(choices=AlertKind.choices, required=False)
    mine = serializers.BooleanField(required=False, default=False)
    limit = serializers.IntegerField(min_value=1, max_value=LIST_LIMIT, required=False,
                                     default=50)


class AlertListApi(APIView):
    """GET the caller's alerts (open by default, newest first) and the departments they hear."""

    access_policy = "scoped"
    token_scope = "alerts:read"  # no token holds it: alerts are for people

    @extend_schema(parameters=[AlertQueryInput], responses=inline_serializer("AlertList", {
        "count": serializers.IntegerField(), "results": AlertOutput(many=True),
        "departments": serializers.ListField(child=serializers.CharField())}))
    def get(self, request: Request) -> Response:
        query = AlertQueryInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        principal = principal_of(request)
        data = query.validated_data
        alerts = selectors.alert_list_visible(principal=principal, state=data["state"],
                                              kind=data.get("kind"), mine=data["mine"])
        return Response({"count": alerts.count(),
                         "results": AlertOutput(alerts[:data["limit"]], many=True).data,
                         "departments": selectors.departments_of(principal)})


class AlertAcknowledgeApi(APIView):
    """POST: the caller has seen the alert (the first acknowledgement stays)."""

    access_policy = "scoped"
    token_scope = "alerts:write"

    @extend_schema(request=None, responses=AlertOutput)
    def post(self, request: Request, pk: int) -> Response:
        alert = services.alert_acknowledge(principal=principal_of(request), pk=pk)
        return Response(AlertOutput(alert).data)
