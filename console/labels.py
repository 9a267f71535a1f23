"""Names the console pages show for codes (category, status, unit, …): one small JSON document
in the page, so rows and events need no look-up while they stream in.

`operator_map_labels` serves the operator map (/dieu-hanh/ban-do/, Vietnamese only);
`ops_config` the console (/ops/), in the request's language."""
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from access.principal import Principal
from incidents import selectors as incident_selectors
from incidents.models import Channel, IncidentEvent, Severity
from incidents.projection import LAYER_SLUG
from incidents.services import COMMENT_PERMISSIONS
from incidents.transitions import Status
from layers import selectors as unit_selectors
from layers.models import AdminLevel, Sector

# The models' labels are Vietnamese; these are the same words, translatable. A status and the
# button making that move may share Vietnamese words but not English ones: two contexts.
STATUS_NAMES = {
    Status.NEW: pgettext_lazy("incident status", "Mới tiếp nhận"),
    Status.VERIFIED: pgettext_lazy("incident status", "Đã xác minh"),
    Status.ASSIGNED: pgettext_lazy("incident status", "Đã giao xử lý"),
    Status.IN_PROGRESS: pgettext_lazy("incident status", "Đang xử lý"),
    Status.RESOLVED: pgettext_lazy("incident status", "Đã xử lý xong"),
    Status.CLOSED: pgettext_lazy("incident status", "Đã đóng"),
    Status.REJECTED: pgettext_lazy("incident status", "Từ chối"),
    Status.DUPLICATE: pgettext_lazy("incident status", "Trùng lặp"),
}
# What the button that makes each move says.
STATUS_ACTIONS = {
    Status.VERIFIED: pgettext_lazy("incident action", "Xác minh"),
    Status.ASSIGNED: pgettext_lazy("incident action", "Giao xử lý"),
    Status.IN_PROGRESS: pgettext_lazy("incident action", "Bắt đầu xử lý"),
    Status.RESOLVED: pgettext_lazy("incident action", "Đã xử lý xong"),
    Status.CLOSED: pgettext_lazy("incident action", "Đóng"),
    Status.REJECTED: pgettext_lazy("incident action", "Từ chối"),
    Status.DUPLICATE: pgettext_lazy("incident action", "Trùng lặp"),
}
SECTOR_NAMES = {
    Sector.ADMIN: _("Hành chính"), Sector.SOCIO_ECONOMIC: _("Kinh tế - xã hội"),
    Sector.GOVERNMENT: _("Chỉ đạo điều hành, dịch vụ công"),
    Sector.SECURITY: _("An ninh trật tự"), Sector.TRAFFIC: _("Giao thông"),
    Sector.HEALTH: _("Y tế"), Sector.EDUCATION: _("Giáo dục"), Sector.TOURISM: _("Du lịch"),
    Sector.PRESS: _("Báo chí, mạng xã hội"), Sector.CYBER: _("An toàn thông tin"),
    Sector.CITIZEN: _("Tương tác người dân"),
}
SEVERITY_NAMES = {Severity.LOW: _("Thấp"), Severity.MEDIUM: _("Trung bình"),
                  Severity.HIGH: _("Cao"), Severity.CRITICAL: _("Khẩn cấp")}
CHANNEL_NAMES = {
    Channel.CITIZEN_WEB: _("Người dân (web)"), Channel.OPEN311: _("Ứng dụng Open311"),
    Channel.HOTLINE: _("Đường dây nóng"), Channel.FIELD_STAFF: _("Cán bộ hiện trường"),
    Channel.SENSOR: _("Cảm biến"), Channel.PRESS: _("Báo chí, mạng xã hội"),
    Channel.PARTNER_IOC: _("IOC đối tác (Sầm Sơn)"),
}
EVENT_KIND_NAMES = {
    IncidentEvent.Kind.SUBMITTED: _("Tiếp nhận"),
    IncidentEvent.Kind.TRANSITION: _("Chuyển trạng thái"),
    IncidentEvent.Kind.ESCALATED: _("Chuyển lên cấp trên (quá hạn)"),
    IncidentEvent.Kind.MERGED: _("Gộp trùng"), IncidentEvent.Kind.RATED: _("Đánh giá"),
    IncidentEvent.Kind.COMMENTED: _("Trả lời, ghi chú"),
}
LEVEL_ORDER = {AdminLevel.PROVINCE: 0, AdminLevel.DISTRICT: 1, AdminLevel.COMMUNE: 2}
PAGE_SIZE = 50


def operator_map_labels() -> dict:
    """{"categories": {code: name}, "statuses": {code: label}, "units": {code: name}} — the
    active categories, every status, and the administrative units in force today."""
    categories = {c.code: c.name_vi for c in incident_selectors.category_list()}
    units = dict(unit_selectors.unit_list(day=timezone.localdate()).values_list("code", "name"))
    return {"categories": categories, "statuses": dict(Status.choices), "units": units}


def _resolved(names: dict) -> dict:
    return {code: str(name) for code, name in names.items()}


def ops_config(*, principal: Principal) -> dict:
    """The console's configuration for this principal, in the active language: API and tile
    slugs, the categories and sectors it works in, every status, the units in force today
    (code, name, level, parent: for the unit filter and assignment), and what it may do."""
    english = (get_language() or "vi").startswith("en")
    categories = [{"code": c.code, "sector": c.sector,
                   "name": c.name_en if english and c.name_en else c.name_vi,
                   "sla_hours": c.sla.total_seconds() / 3600}
                  for c in incident_selectors.category_list()
                  if principal.sectors is None or c.sector in principal.sectors]
    sectors = sorted({c["sector"] for c in categories})
    units = sorted(unit_selectors.unit_list(day=timezone.localdate()),
                   key=lambda u: (LEVEL_ORDER.get(u.level, 9), u.name))
    return {
        "layer": LAYER_SLUG,
        "api": {"incidents": reverse("incident-list")},
        "page_size": PAGE_SIZE,
        "categories": categories,
        "sectors": [[code, str(SECTOR_NAMES.get(code, code))] for code in sectors],
        "statuses": _resolved(STATUS_NAMES),
        "actions": _resolved(STATUS_ACTIONS),
        "severities": _resolved(SEVERITY_NAMES),
        "channels": _resolved(CHANNEL_NAMES),
        "event_kinds": _resolved(EVENT_KIND_NAMES),
        "units": [[u.code, u.name, u.level, u.parent.code if u.parent_id else None]
                  for u in units],
        "can_comment": any(principal.has(p) for p in COMMENT_PERMISSIONS),
    }
