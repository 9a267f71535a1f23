"""Citizen-facing names of the domain's codes, in the page's language.

The domain keeps its labels as Vietnamese constants (Sector, Status, IncidentEvent.Kind); the
citizen pages speak Vietnamese or English, so the names they show are marked for translation
here, with the Vietnamese wording as the message id. A code this module does not know falls
back to the domain's own label."""
from django.utils.translation import get_language, gettext_lazy as _

from incidents.models import Category, IncidentEvent
from incidents.transitions import Status
from layers.models import Sector

# Sectors in the order a citizen looks for them; "other" last.
SECTORS = {
    Sector.TRAFFIC: _("Giao thông"),
    Sector.SECURITY: _("An ninh trật tự"),
    Sector.SOCIO_ECONOMIC: _("Kinh tế - xã hội"),
    Sector.HEALTH: _("Y tế"),
    Sector.EDUCATION: _("Giáo dục"),
    Sector.TOURISM: _("Du lịch"),
    Sector.GOVERNMENT: _("Chỉ đạo điều hành, dịch vụ công"),
    Sector.CYBER: _("An toàn thông tin"),
    Sector.PRESS: _("Báo chí, mạng xã hội"),
    Sector.CITIZEN: _("Khác"),
}

STATUSES = {
    Status.NEW: _("Mới tiếp nhận"),
    Status.VERIFIED: _("Đã xác minh"),
    Status.ASSIGNED: _("Đã giao xử lý"),
    Status.IN_PROGRESS: _("Đang xử lý"),
    Status.RESOLVED: _("Đã xử lý xong"),
    Status.CLOSED: _("Đã đóng"),
    Status.REJECTED: _("Từ chối"),
    Status.DUPLICATE: _("Trùng lặp"),
}

EVENTS = {
    IncidentEvent.Kind.SUBMITTED: _("Đã tiếp nhận phản ánh"),
    IncidentEvent.Kind.TRANSITION: _("Cập nhật tình trạng"),
    IncidentEvent.Kind.ESCALATED: _("Chuyển lên cấp trên"),
    IncidentEvent.Kind.MERGED: _("Gộp phản ánh trùng"),
    IncidentEvent.Kind.RATED: _("Người phản ánh đã đánh giá"),
    "commented": _("Cơ quan chức năng đã trả lời"),  # a public reply (the comments API)
}


def sector_name(code: str) -> str:
    """The sector's name for a category group."""
    if code in SECTORS:
        return str(SECTORS[code])
    return Sector(code).label if code in Sector.values else code


def status_name(code: str) -> str:
    """The status's name on the tracking page."""
    if code in STATUSES:
        return str(STATUSES[code])
    return Status(code).label if code in Status.values else code


def category_name(category: Category) -> str:
    """The category's own name in the page's language (the catalogue has vi and en)."""
    if (get_language() or "vi").startswith("en") and category.name_en:
        return category.name_en
    return category.name_vi


def category_groups(categories) -> list[dict]:
    """Categories grouped by sector, groups in citizen order, names in the page's language."""
    order = list(SECTORS)
    groups: dict[str, list[dict]] = {}
    for category in categories:
        groups.setdefault(category.sector, []).append(
            {"code": category.code, "name": category_name(category)})
    ranked = sorted(groups, key=lambda s: (order.index(s) if s in order else len(order), s))
    return [{"sector": s, "name": sector_name(s), "categories": groups[s]} for s in ranked]
