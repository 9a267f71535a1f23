"""What the planner's page needs up front: the layers the caller may overlay, whether they may
export, the API's URLs and limits, and the page script's strings (Vietnamese, English)."""
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from layers.exports import can_export
from layers.models import LayerSource

from . import conf
from .selectors import planner_layers


def planner_config(*, principal) -> dict:
    """The page's config for the signed-in user."""
    english = get_language() == "en"
    return {
        "layers": [{"slug": layer.slug, "title": (layer.title_en if english and layer.title_en
                                                   else layer.title_vi),
                    "units": layer.source == LayerSource.ADMIN_UNITS,
                    "geometry": layer.geometry_kind.lower(), "public": layer.is_public}
                   for layer in planner_layers(principal=principal)],
        "may_export": can_export(principal),
        "within_url": reverse("planner-within"),
        "export_url": reverse("layer-export", kwargs={"slug": "SLUG"}),
        "briefing_url": reverse("planner-briefing"),
        "max_vertices": conf.max_vertices(),
    }


def planner_strings() -> dict:
    """The page script's strings, translated at render time."""
    return {
        "layers_title": _("Lớp bản đồ"),
        "opacity": _("Độ trong suốt của {layer}"),
        "draw": _("Vẽ vùng"), "finish": _("Hoàn tất"), "clear": _("Xóa vùng"),
        "draw_hint": _("Nhấp lên bản đồ để thêm đỉnh; nhấp đỉnh đầu hoặc “Hoàn tất” để khép vùng."),
        "vertices": _("{count} đỉnh"),
        "too_many_vertices": _("Tối đa {count} đỉnh."),
        "asking": _("Đang đếm…"),
        "result_title": _("Trong vùng đã vẽ ({area} km²)"),
        "count": _("{count} đối tượng"),
        "more": _("… và {count} đối tượng khác"),
        "no_layer": _("Hãy chọn ít nhất một lớp."),
        "error": _("Lỗi: {message}"),
        "export_title": _("Xuất phần đang xem"),
        "export_hint": _("Các lớp đang bật, trong khung bản đồ hiện tại."),
        "briefing": _("Tải bản đồ tóm tắt (HTML, mở được khi không có mạng)"),
        "no_export": _("Tài khoản của bạn không có quyền xuất dữ liệu."),
        "map_error": _("Lỗi tải bản đồ: {message}"),
    }
