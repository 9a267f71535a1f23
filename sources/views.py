"""The data page (/data/): every source the caller may see with its liveness and quality, an
upload or "pull now" per connector with the run's progress and validation report, and the
caller's open alerts. Thin: who may open it and the page's config; every figure comes from the
API (/api/sources/, /api/integration/, /api/alerts/), read by sources/static/sources/*.js.

The API's labels are Vietnamese model choices; the page shows codes through the labels below,
so English comes from this app's catalogue (tests check they cover every choice)."""
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from access.principal import Principal, principal_of
from alerts.selectors import alerts_allowed
from ioc_gis.screens import screen_config, staff_screen
from layers.models import Sector

from .models import Liveness, SourceKind
from .selectors import sources_allowed

CHECK_PERMISSION = "sources.run_check"
ACKNOWLEDGE_PERMISSION = "alerts.change_alert"

# Shown in this order in the summary (the ones needing attention first after "fresh").
LIVENESS_LABELS = {
    Liveness.FRESH: _("Cập nhật đúng hạn"), Liveness.STALE: _("Chậm cập nhật"),
    Liveness.FAILING: _("Lần nhập gần nhất lỗi"), Liveness.NEVER: _("Chưa có dữ liệu"),
    Liveness.UNSCHEDULED: _("Không đặt chu kỳ"), Liveness.INACTIVE: _("Đang tắt"),
}
KIND_LABELS = {SourceKind.CONNECTOR: _("Kết nối dữ liệu"),
               SourceKind.STREAM: _("Luồng cảm biến (MQTT)"), SourceKind.LAYER: pgettext_lazy("loại nguồn", "Lớp bản đồ")}
CONNECTOR_KIND_LABELS = {"FILE": _("Tệp tải lên"), "HTTP_GEOJSON": _("GeoJSON qua HTTP"),
                         "HTTP_JSON": _("JSON REST (bản ghi)"),
                         "OGC_FEATURES": _("OGC API – Features"), "CSV_URL": _("CSV qua HTTP")}
SECTOR_LABELS = {
    Sector.ADMIN: _("Hành chính"), Sector.SOCIO_ECONOMIC: _("Kinh tế - xã hội"),
    Sector.GOVERNMENT: _("Chỉ đạo điều hành, dịch vụ công"), Sector.SECURITY: _("An ninh trật tự"),
    Sector.TRAFFIC: _("Giao thông"), Sector.HEALTH: _("Y tế"), Sector.EDUCATION: _("Giáo dục"),
    Sector.TOURISM: _("Du lịch"), Sector.PRESS: _("Báo chí, mạng xã hội"),
    Sector.CYBER: _("An toàn thông tin"), Sector.CITIZEN: _("Tương tác người dân"),
}
SEVERITY_LABELS = {"WARNING": _("Cảnh báo"), "CRITICAL": _("Nghiêm trọng")}
ALERT_KIND_LABELS = {"SOURCE_STALE": _("Nguồn dữ liệu chậm cập nhật"),
                     "SOURCE_FAILING": _("Nguồn dữ liệu nhập lỗi"),
                     "QUALITY_LOW": _("Chất lượng dữ liệu thấp"),
                     "KPI_ATTENTION": _("Chỉ tiêu cần chú ý")}
RUN_STATUS_LABELS = {"QUEUED": _("Chờ xử lý"), "RUNNING": _("Đang chạy"),
                     "SUCCEEDED": _("Thành công"), "FAILED": _("Thất bại")}
RUN_PHASE_LABELS = {"WAITING": _("Chờ"), "FETCHING": _("Tải từ nguồn"), "READING": _("Đọc tệp"),
                    "VALIDATING": _("Kiểm tra"), "WRITING": _("Ghi dữ liệu"), "DONE": _("Xong")}


def _labels(labels: dict) -> dict:
    return {str(code): str(label) for code, label in labels.items()}


def _with_id(name: str) -> str:
    """An API URL with `{id}` where the object's id goes (the page fills it in)."""
    return reverse(name, args=[0]).replace("/0/", "/{id}/")


def data_config(*, principal: Principal) -> dict:
    """What the page needs up front: the API's URLs, the caller's rights, the choices."""
    return {
        "list_url": reverse("source-list"), "check_url": reverse("source-check"),
        "run_url": _with_id("integration-run-detail"),
        "alerts_url": reverse("alert-list"), "acknowledge_url": _with_id("alert-acknowledge"),
        "may_check": principal.has(CHECK_PERMISSION),
        "may_read_alerts": alerts_allowed(principal),
        "may_acknowledge": alerts_allowed(principal) and principal.has(ACKNOWLEDGE_PERMISSION),
        "poll_ms": 700,
        "labels": {"liveness": _labels(LIVENESS_LABELS), "kind": _labels(KIND_LABELS),
                   "connector_kind": _labels(CONNECTOR_KIND_LABELS),
                   "sector": _labels(SECTOR_LABELS), "severity": _labels(SEVERITY_LABELS),
                   "alert_kind": _labels(ALERT_KIND_LABELS),
                   "run_status": _labels(RUN_STATUS_LABELS),
                   "run_phase": _labels(RUN_PHASE_LABELS)},
    }


def data_strings() -> dict:
    """The page script's strings, translated at render time."""
    return {
        "all": _("Tất cả"), "checked_at": _("kiểm tra lúc {time}"),
        "never_checked": _("Chưa kiểm tra lần nào."),
        "checking": _("Đang kiểm tra…"),
        "empty": _("Không có nguồn dữ liệu nào khớp bộ lọc."),
        "not_found": _("Không thấy nguồn “{subject}” trong danh sách."),
        "interval_minutes": _("{count} phút"), "interval_hours": _("{count} giờ"),
        "interval_days": _("{count} ngày"),
        "upload": _("Tải tệp lên"), "upload_label": _("Chọn tệp để tải lên cho {name}"),
        "pull": _("Lấy dữ liệu ngay"), "map": _("Xem trên bản đồ"), "ogc": _("OGC API"),
        "last_report": _("Báo cáo lần nhập gần nhất"),
        "sending": _("Đang gửi…"), "run_title": _("Lượt nhập #{id}: {status}"),
        "run_phase": _("Giai đoạn: {phase}"),
        "run_counts": _("Đọc {read} dòng: thêm mới {inserted}, cập nhật {updated}, "
                        "không đổi {unchanged}, bị loại {rejected}."),
        "run_not_modified": _("Nguồn không đổi từ lần lấy trước: không ghi gì."),
        "run_report": _("Tải báo cáo các dòng bị loại (CSV)"),
        "run_error": _("Không gửi được: {message}"), "run_lost": _("Mất kết nối: {message}"),
        "close": _("Đóng"), "error": _("Lỗi: {message}"),
        "alerts_empty": _("Không có cảnh báo đang mở."),
        "alert_source": _("Xem nguồn"), "acknowledge": _("Đã xem"),
        "acknowledged": _("Đã xem: {who}, {time}"), "alert_raised": _("Phát sinh {time}"),
        "alert_department": _("Đơn vị: {department}"),
        "alerts_more": _("{shown}/{count} cảnh báo đang mở được hiển thị."),
    }


def data_context(principal: Principal) -> dict:
    """The template's context besides the config: which panels and buttons to draw."""
    return {"nav": "data", "may_check": principal.has(CHECK_PERMISSION),
            "may_read_alerts": alerts_allowed(principal)}


@staff_screen(sources_allowed, refusal=_("Tài khoản không có quyền xem nguồn dữ liệu."))
def screen(request: HttpRequest) -> HttpResponse:
    """GET /data/ — the data sources page."""
    principal = principal_of(request)
    return render(request, "sources/data.html", {
        **data_context(principal),
        "config": screen_config(data_config(principal=principal), data_strings())})
