"""/api/sources/… — liveness and quality of the data sources the caller may see, and a check
run now. Thin: read input, one domain call, write output."""
from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access.principal import Principal, principal_of
from integration.models import ConnectorKind
from layers.models import Sector

from . import selectors, services
from .errors import SourcesNotAllowed
from .models import Liveness, SourceKind, SourceStatus


class StatusOutput(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    liveness_label = serializers.CharField(source="get_liveness_display")
    sector_label = serializers.CharField(source="get_sector_display")
    expected_hours = serializers.SerializerMethodField()
    layer = serializers.SerializerMethodField()
    connector = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = SourceStatus
        fields = ["subject", "kind", "kind_label", "name", "sector", "sector_label",
                  "owner_department", "liveness", "liveness_label", "expected_hours",
                  "last_success_at", "completeness", "validity", "feature_count", "detail",
                  "checked_at", "layer", "connector", "links"]

    def get_expected_hours(self, status: SourceStatus) -> float | None:
        interval = status.expected_interval
        return round(interval.total_seconds() / 3600, 2) if interval else None

    def get_layer(self, status: SourceStatus) -> dict | None:
        layer = status.layer
        return {"slug": layer.slug, "title": layer.title_vi, "title_en": layer.title_en,
                "is_public": layer.is_public} if layer else None

    def get_connector(self, status: SourceStatus) -> dict | None:
        """What the caller may do with a connector: upload a file, pull now, read the report."""
        if status.kind != SourceKind.CONNECTOR:
            return None
        principal: Principal = self.context["principal"]
        writes = status.layer is not None and principal.can_write_layer(status.layer)
        connector_id, kind = status.detail["connector_id"], status.detail["connector_kind"]
        run_id = status.detail.get("last_run_id")
        active = status.liveness != Liveness.INACTIVE
        return {"id": connector_id, "kind": kind,
                "can_upload": writes and active and kind == ConnectorKind.FILE,
                "can_pull": writes and active and kind != ConnectorKind.FILE,
                "upload_url": reverse("integration-run-create", args=[connector_id]),
                "pull_url": reverse("integration-connector-pull", args=[connector_id]),
                "last_run_url": run_id and reverse("integration-run-detail", args=[run_id]),
                "last_report_url": run_id and writes
                and reverse("integration-run-report", args=[run_id])}

    def get_links(self, status: SourceStatus) -> dict:
        if status.layer is None:
            return {}
        slug = status.layer.slug
        return {"map": f"{reverse('planner')}?layer={slug}",
                "ogc": reverse("ogc-collection", args=[slug])}


class StatusQueryInput(serializers.Serializer):
    liveness = serializers.ChoiceField(choices=Liveness.choices, required=False)
    sector = serializers.ChoiceField(choices=Sector.choices, required=False)
    kind = serializers.ChoiceField(choices=SourceKind.choices, required=False)


def _listing(principal: Principal, statuses: list[SourceStatus]) -> dict:
    counts = {value: 0 for value in Liveness.values}
    for status in statuses:
        counts[status.liveness] += 1
    return {"checked_at": selectors.checked_at(statuses), "counts": counts,
            "results": StatusOutput(statuses, many=True, context={"principal": principal}).data}


LISTING = inline_serializer("SourceList", {
    "checked_at": serializers.DateTimeField(allow_null=True),
    "counts": serializers.DictField(child=serializers.IntegerField()),
    "results": StatusOutput(many=True)})


class SourceListApi(APIView):
    """GET the liveness and quality of every source the caller may see, at the last check."""

    access_policy = "scoped"
    token_scope = "sources:read"  # no token holds it: this page is for people

    @extend_schema(parameters=[StatusQueryInput], responses=LISTING)
    def get(self, request: Request) -> Response:
        query = StatusQueryInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        principal = principal_of(request)
        statuses = selectors.status_list_visible(principal=principal, **query.validated_data)
        return Response(_listing(principal, statuses))


class SourceCheckApi(APIView):
    """POST: check every source now; the caller's listing afterwards."""

    access_policy = "scoped"
    token_scope = "sources:check"

    @extend_schema(request=None, responses=LISTING)
    def post(self, request: Request) -> Response:
        principal = principal_of(request)
        if not (selectors.sources_allowed(principal) and principal.has("sources.run_check")):
            raise SourcesNotAllowed("Không có quyền chạy kiểm tra nguồn dữ liệu.")
        services.sources_check()
        return Response(_listing(principal, selectors.status_list_visible(principal=principal)))
