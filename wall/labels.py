"""What the wall's page needs besides data: names of the codes incident events carry (category,
status, unit) and the interface strings of its scripts, in the request's language."""
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.selectors import category_list
from incidents.transitions import Status
from layers.selectors import unit_list

from .selectors import in_english

STATUS_NAMES = {
    Status.NEW: _("Mới tiếp nhận"), Status.VERIFIED: _("Đã xác minh"),
    Status.ASSIGNED: _("Đã giao xử lý"), Status.IN_PROGRESS: _("Đang xử lý"),
    Status.RESOLVED: _("Đã xử lý xong"), Status.CLOSED: _("Đã đóng"),
    Status.REJECTED: _("Từ chối"), Status.DUPLICATE: _("Trùng lặp"),
}

STRINGS = {
    "connection.ok": _("Trực tuyến"),
    "connection.connecting": _("Đang kết nối…"),
    "connection.degraded": _("Mất kết nối một phần, đang thử lại…"),
    "connection.offline": _("Mất kết nối, đang thử lại…"),
    "connection.refused": _("Máy chủ từ chối kết nối trực tiếp: hãy đăng nhập lại."),
    "scene.pinned": _("Đã ghim bởi {who} đến {until}"),
    "scene.pinned_anonymous": _("Đã ghim đến {until}"),
    "scene.single": _("Chỉ hiển thị cảnh này"),
    "scene.none": _("Chưa có cảnh nào."),
    "events.empty": _("Chưa có sự cố nào."),
    "events.live": _("Vừa nhận"),
    "kpi.pct": _("{value} %"),
    "map.error": _("Bản đồ tạm thời không tải được, đang thử lại…"),
}


def wall_labels() -> dict:
    """{"categories": {code: name}, "statuses": {code: name}, "units": {code: name}}."""
    english = in_english()
    categories = {c.code: (c.name_en if english and c.name_en else c.name_vi)
                  for c in category_list()}
    units = dict(unit_list(day=timezone.localdate()).values_list("code", "name"))
    return {"categories": categories, "units": units,
            "statuses": {code: str(name) for code, name in STATUS_NAMES.items()}}
