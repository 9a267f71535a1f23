"""Admin in Vietnamese: connectors (with an upload page), their runs with progress and counts,
the validation report link."""
from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from access.principal import principal_of
from ioc_gis.errors import DomainError

from .models import Connector, ImportRun, RejectedRow
from .services import import_run_start


class UploadForm(forms.Form):
    file = forms.FileField(label="Tệp dữ liệu", help_text="GeoPackage, Shapefile (.zip), GeoJSON, "
                           "KML, CSV hoặc XLSX")


class ConnectorAdminForm(forms.ModelForm):
    """The field mapping must be an object of target → {source, values?}."""

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


@admin.register(Connector)
class ConnectorAdmin(admin.ModelAdmin):
    form = ConnectorAdminForm
    list_display = ("name", "layer", "owner_department", "kind", "is_active", "upload_link")
    list_filter = ("kind", "is_active", "layer__sector")
    search_fields = ("name", "owner_department", "layer__slug")
    autocomplete_fields = ()

    @admin.display(description="Nhập tệp")
    def upload_link(self, connector: Connector) -> str:
        url = reverse("admin:integration_connector_upload", args=[connector.pk])
        return format_html('<a href="{}">Tải tệp lên…</a>', url)

    def get_urls(self):
        return [path("<int:pk>/upload/", self.admin_site.admin_view(self.upload_view),
                     name="integration_connector_upload"), *super().get_urls()]

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
    list_display = ("id", "connector", "file_name", "status", "progress", "rows_read",
                    "rows_inserted", "rows_updated", "rows_unchanged", "rows_rejected",
                    "created_at", "report_link")
    list_filter = ("status", "connector")
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
