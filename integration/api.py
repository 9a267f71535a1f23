"""REST endpoints of the integration app: upload a file to a connector (202 with the queued
run), pull a connector's source now (202), a run's status and progress, its validation report
as CSV. Thin: input, one call, output."""
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access.models import ApiToken
from access.principal import principal_of

from . import conf, pull, selectors, services
from .errors import UploadTooLarge
from .models import Connector, ImportRun, RunTrigger


def _write_scope_of(layer_slug: str | None) -> str:
    return f"layers:write:{layer_slug}" if layer_slug else "layers:read"


def _connector_scope(request: Request) -> str:
    pk = request.parser_context["kwargs"]["pk"]
    return _write_scope_of(Connector.objects.filter(pk=pk)
                           .values_list("layer__slug", flat=True).first())


def _run_scope(request: Request) -> str:
    pk = request.parser_context["kwargs"]["pk"]
    return _write_scope_of(ImportRun.objects.filter(pk=pk)
                           .values_list("connector__layer__slug", flat=True).first())


class RunOutput(serializers.ModelSerializer):
    connector = serializers.IntegerField(source="connector_id")
    layer = serializers.CharField(source="connector.layer.slug")
    url = serializers.SerializerMethodField()
    report_url = serializers.SerializerMethodField()

    class Meta:
        model = ImportRun
        fields = ["id", "url", "connector", "layer", "trigger", "source_url", "status", "phase",
                  "file_name", "file_size", "driver", "progress_done", "progress_total",
                  "rows_read", "rows_inserted", "rows_updated", "rows_unchanged",
                  "rows_rejected", "source_not_modified", "message", "created_at",
                  "started_at", "finished_at", "report_url"]

    def get_url(self, run: ImportRun) -> str:
        return f"/api/integration/runs/{run.pk}/"

    def get_report_url(self, run: ImportRun) -> str:
        return f"/api/integration/runs/{run.pk}/report.csv"


class UploadInput(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False, use_url=False)


class RunCreateApi(APIView):
    """POST (multipart, field `file`): check and store the upload, queue its import; 202 with
    the run. Needs write rights on the connector's layer (403); unseen connector 404."""

    access_policy = "scoped"
    token_scope = staticmethod(_connector_scope)
    parser_classes = [MultiPartParser]

    @extend_schema(operation_id="integration_runs_create", request=UploadInput,
                   responses={202: RunOutput})
    def post(self, request: Request, pk: int) -> Response:
        principal = principal_of(request)
        connector = selectors.connector_get_visible(principal=principal, pk=pk)
        cap = conf.get("IOC_IMPORT_MAX_UPLOAD_BYTES")
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > cap + 64 * 1024:  # refused before the body is read
            raise UploadTooLarge(f"Tệp vượt giới hạn {cap / 1e6:.0f} MB.")
        data = UploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        token = request.auth if isinstance(request.auth, ApiToken) else None
        run = services.import_run_start(
            connector=connector, principal=principal, file=upload, file_name=upload.name,
            size=upload.size, user=request.user if request.user.is_authenticated else None,
            token=token)
        return Response(RunOutput(run).data, status=status.HTTP_202_ACCEPTED)


class PullCreateApi(APIView):
    """POST (no body): pull the connector's source now; 202 with the queued run (`url` to poll,
    also in `Location`). Same rights as uploading (403); unseen connector 404; a file connector,
    a switched-off one, or a pull already queued or running: 409."""

    access_policy = "scoped"
    token_scope = staticmethod(_connector_scope)

    @extend_schema(operation_id="integration_connectors_pull", request=None,
                   responses={202: RunOutput})
    def post(self, request: Request, pk: int) -> Response:
        principal = principal_of(request)
        connector = selectors.connector_get_visible(principal=principal, pk=pk)
        run = pull.pull_start(
            connector=connector, principal=principal, trigger=RunTrigger.MANUAL,
            user=request.user if request.user.is_authenticated else None,
            token=request.auth if isinstance(request.auth, ApiToken) else None)
        body = RunOutput(run).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class RunDetailApi(APIView):
    """GET: a run's status, progress and counts (poll while it runs)."""

    access_policy = "scoped"
    token_scope = staticmethod(_run_scope)

    @extend_schema(operation_id="integration_runs_retrieve", responses={200: RunOutput})
    def get(self, request: Request, pk: int) -> Response:
        run = selectors.run_get_visible(principal=principal_of(request), pk=pk)
        return Response(RunOutput(run).data)


class RunReportApi(APIView):
    """GET: the validation report, one CSV line per rejected row (row number, external id,
    reason, source values). Needs write rights on the layer (403)."""

    access_policy = "scoped"
    token_scope = staticmethod(_run_scope)

    @extend_schema(operation_id="integration_runs_report",
                   responses={(200, "text/csv"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> StreamingHttpResponse:
        principal = principal_of(request)
        run = selectors.run_get_visible(principal=principal, pk=pk)
        selectors.run_report_check(principal=principal, run=run)
        response = StreamingHttpResponse(selectors.run_report_csv(run=run),
                                         content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="bao-cao-nhap-{run.pk}.csv"'
        response["Cache-Control"] = "private, no-store"
        return response
