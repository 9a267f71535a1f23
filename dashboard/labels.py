"""Names the dashboard and the briefing print, in the request's language: sectors, statuses,
trend arrows, unit levels, generations. (layers.models.Sector's own labels are not translated.)"""
from django.utils.translation import gettext_lazy as _

SECTORS = {
    "SOCIO_ECONOMIC": _("Kinh tế - xã hội"),
    "GOVERNMENT": _("Chỉ đạo điều hành, dịch vụ công"),
    "SECURITY": _("An ninh trật tự"),
    "TRAFFIC": _("Giao thông"),
    "HEALTH": _("Y tế"),
    "EDUCATION": _("Giáo dục"),
    "TOURISM": _("Du lịch"),
    "PRESS": _("Báo chí, mạng xã hội"),
    "CYBER": _("An toàn thông tin"),
    "CITIZEN": _("Tương tác người dân"),
    "ADMIN": _("Hành chính"),
}
STATUSES = {
    "green": _("Đạt chỉ tiêu"),
    "amber": _("Gần đạt"),
    "red": _("Không đạt"),
    "grey": _("Chưa đánh giá"),
}
GREY_REASONS = {"no_value": _("chưa có số liệu"), "no_target": _("chưa có chỉ tiêu")}
ARROWS = {"up": "↑", "down": "↓", "flat": "→", None: ""}
LEVELS = {"province": _("tỉnh"), "district": _("huyện"), "commune": _("xã/phường")}
GENERATIONS = {"current": _("đơn vị hiện hành (từ 1/7/2025)"),
               "pre2025": _("đơn vị trước sắp xếp (đến 30/6/2025)")}
