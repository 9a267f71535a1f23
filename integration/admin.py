"""Admin in Vietnamese: connectors (with an upload page, or for pull connectors a "pull now" page
and action; the pull settings shown only for the pull kinds), their runs with progress and
counts, the validation report link."""
from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from access.principal import principal_of
from ioc_gis.errors import DomainError

from .models import (PULL_KINDS, SECRET_ENV_PREFIX, AuthHeader, Connector, ConnectorKind,
                     ImportRun, RejectedRow, RunTrigger)
from .pull import pull_start
from .services import import_run_start

PULL_FIELDS = ("url", "pull_interval", "records_path", "auth_header", "auth_scheme", "secret_env",
               "pull_timeout")


class UploadForm(forms.Form):
    file = forms.FileField(label="Tệp dữ liệu", help_text="GeoPackage, Shapefile (.zip), GeoJSON, "
                           "KML, CSV hoặc XLSX")


class ConnectorAdminForm(forms.ModelForm):
    """The field mapping must be an object of target → {source, values?}."""

    url = forms.URLField(  # declared: a URL typed without a scheme is not guessed as http
        label=Connector._meta.get_field("url").verbose_name, required=False, max_length=2000,
        assume_scheme="https", help_text=Connector._meta.get_field("url").help_text,
        widget=forms.URLInput(attrs={"class": "vURLField"}))

    class Meta:
        model = Connector
        fields = "__all__"

    def clean_field_mapping(self) -> dict:
        mapping = self.cleaned_data["field_mapping"]
        if not isinstance(mapping, dict) or not all(
                isinstance(rule, str) or (isinstance(rule, dict) and "source" in rule)
                for rule in mapping.values()):
            raise forms.ValidationError('Dạng: {"thuộc tính": {"source": "cột", "values": '
                                        '{"giá trị nguồn": "mã"}}}')
        return mapping

    def clean(self) -> dict:
        """A file connector drops the (hidden) pull settings; a pull one needs URL and interval,
        and a secret only from a named variable."""
        data = super().clean()
        kind = data.get("kind")
        if kind == ConnectorKind.FILE:
            for name in PULL_FIELDS:
                self._errors.pop(name, None)  # hidden fields, dropped below
            data.update(url="", pull_interval=None, records_path="", auth_header="",
                        auth_scheme="", secret_env="")
            return data
        if kind in PULL_KINDS:
            for name in ("url", "pull_interval"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, "Cần cho kết nối lấy dữ liệu qua HTTP.")
            if kind != ConnectorKind.HTTP_JSON:
                data["records_path"] = ""
        self._clean_auth(data)
        return data

    def _clean_auth(self, data: dict) -> None:
        header, env = data.get("auth_header"), (data.get("secret_env") or "").strip()
        if not header:
            data.update(auth_scheme="", secret_env="")
        elif not env.startswith(SECRET_ENV_PREFIX) or env != env.upper():
            self.add_error("secret_env", f"Tên biến môi trường viết hoa, bắt đầu bằng "
                                         f"{SECRET_ENV_PREFIX} (ví dụ {SECRET_ENV_PREFIX}"
                                         "GIAO_THONG); khóa đặt trên máy chủ, không nhập ở đây.")
        elif header == AuthHeader.API_KEY:
            data["auth_scheme"] = ""


@admin.register(Connector)
class ConnectorAdmin(admin.ModelAdmin):
    form = ConnectorAdminForm
    list_display = ("name", "layer", "owner_department", "kind", "is_active", "last_pulled_at",
                    "upload_link")
    list_filter = ("kind", "is_active", "layer__sector")
    search_fields = ("name", "owner_department", "layer__slug")
    autocomplete_fields = ()
    readonly_fields = ("last_pulled_at",)
    actions = ["pull_now"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "layer", "owner_department", "is_active"]}),
        ("Ánh xạ và vị trí", {"fields": [
            "field_mapping", "id_column", "lon_column", "lat_column", "unit_code_column",
            "unit_name_column", "observed_at_column", "source_crs", "encoding",
            "update_interval"]}),
        ("Lấy dữ liệu qua HTTP", {
            "fields": [*PULL_FIELDS, "last_pulled_at"], "classes": ["pull-fields"],
            "description": "Cho các loại GeoJSON qua HTTP, JSON REST, OGC API – Features, CSV "
                           "qua HTTP: hệ thống tự lấy dữ liệu theo chu kỳ (cần tiến trình nền: "
                           "Celery beat hoặc manage.py integration_worker --follow)."}),
    ]

    class Media:
        js = ["integration/connector_kind.js"]

    @admin.display(description="Nhập dữ liệu")
    def upload_link(self, connector: Connector) -> str:
        if connector.is_pull:
            url = reverse("admin:integration_connector_pull", args=[connector.pk])
            return format_html('<a href="{}">Lấy dữ liệu ngay…</a>', url)
        url = reverse("admin:integration_connector_upload", args=[connector.pk])
        return format_html('<a href="{}">Tải tệp lên…</a>', url)

    def get_urls(self):
        return [path("<int:pk>/upload/", self.admin_site.admin_view(self.upload_view),
                     name="integration_connector_upload"),
                path("<int:pk>/pull/", self.admin_site.admin_view(self.pull_view),
                     name="integration_connector_pull"), *super().get_urls()]

    @admin.action(description="Lấy dữ liệu ngay", permissions=["view"])
    def pull_now(self, request: HttpRequest, queryset) -> None:
        """Queue a pull of each selected pull connector (rights checked per connector)."""
        for connector in queryset.select_related("layer"):
            self._pull(request, connector)

    def _pull(self, request: HttpRequest, connector: Connector) -> ImportRun | None:
        try:
            run = pull_start(connector=connector, principal=principal_of(request),
                             trigger=RunTrigger.MANUAL, user=request.user)
        except DomainError as exc:
            messages.error(request, f"{connector}: {exc.message}")
            return None
        messages.success(request, f"{connector}: lượt lấy dữ liệu #{run.pk} đang chờ xử lý.")
        return run

    def pull_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """A pull connector's recent runs and a button to pull now (POST)."""
        connector = self.get_object(request, str(pk))
        if connector is None or not self.has_view_permission(request, connector):
            return HttpResponseRedirect(reverse("admin:integration_connector_changelist"))
        if request.method == "POST":
            self._pull(request, connector)
            return HttpResponseRedirect(request.path)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "connector": connector, "title": f"Lấy dữ liệu: {connector}",
                   "runs": connector.runs.all()[:20]}
        return TemplateResponse(request, "admin/integration/pull.html", context)

    def upload_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Upload a file through the connector, then follow its runs."""
        connector = self.get_object(request, str(pk))
        if connector is None or not self.has_view_permission(request, connector):
            return HttpResponseRedirect(reverse("admin:integration_connector_changelist"))
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                run = import_run_start(connector=connector, principal=principal_of(request),
                                       file=upload, file_name=upload.name, size=upload.size,
                                       user=request.user)
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                messages.success(request, f"Đã nhận tệp; lượt nhập #{run.pk} đang chờ xử lý.")
                return HttpResponseRedirect(
                    reverse("admin:integration_importrun_changelist")
                    + f"?connector__id__exact={connector.pk}")
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "connector": connector, "form": form, "title": f"Nhập tệp: {connector}",
                   "runs": connector.runs.all()[:20]}
        return TemplateResponse(request, "admin/integration/upload.html", context)


class RejectedRowInline(admin.TabularInline):
    model = RejectedRow
    fields = ("row_number", "external_id", "reason", "raw")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request)[:200]  # the CSV report has them all


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("id", "connector", "trigger", "file_name", "status", "progress", "rows_read",
                    "rows_inserted", "rows_updated", "rows_unchanged", "rows_rejected",
                    "created_at", "report_link")
    list_filter = ("status", "trigger", "connector")
    readonly_fields = [f.name for f in ImportRun._meta.fields] + ["report_link"]
    inlines = [RejectedRowInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # runs start from a connector's upload page

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="Tiến độ")
    def progress(self, run: ImportRun) -> str:
        if not run.progress_total:
            return run.get_phase_display()
        return f"{run.get_phase_display()} {100 * run.progress_done // run.progress_total}%"

    @admin.display(description="Báo cáo kiểm tra")
    def report_link(self, run: ImportRun) -> str:
        url = reverse("integration-run-report", args=[run.pk])
        return format_html('<a href="{}">CSV ({} dòng bị loại)</a>', url, run.rows_rejected)
