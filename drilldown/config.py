"""What the drill-down page needs up front: the province, the units source and the two
generations, the names of incident codes, and its interface strings (Vietnamese, English)."""
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from access.principal import Principal
from incidents.selectors import category_list
from incidents.transitions import Status
from layers.conf import PRE_REFORM_REFERENCE_DATE
from layers.models import AdminLevel, AdminUnit, LayerSource
from layers.selectors import layer_list_visible, valid_on
from rasters.selectors import raster_list_visible
from rasters.render import tile_template


def drill_config(*, principal: Principal, today: date) -> dict:
    """The page's config for the signed-in user."""
    province = (AdminUnit.objects.filter(valid_on(today), level=AdminLevel.PROVINCE)
                .values_list("code", flat=True).first())
    units_source = next((layer.slug for layer in layer_list_visible(principal=principal)
                         if layer.source == LayerSource.ADMIN_UNITS), None)
    return {
        "province": province,
        "units_source": units_source,
        "generations": {"current": None, "pre2025": PRE_REFORM_REFERENCE_DATE.isoformat()},
        "incidents": principal.has("incidents.view_incident"),
        "statuses": dict(Status.choices),
        "categories": {c.code: c.name_vi for c in category_list()},
        "ops_url": reverse("ops"),
        "rasters": [_raster(raster) for raster in raster_list_visible(principal=principal)],
    }


def _raster(raster) -> dict:
    """What the page needs to offer a raster as an overlay (MapLibre raster source + legend)."""
    from rasters.ramps import ramp_legend

    west, south, east, north = raster.extent.extent
    return {"slug": raster.slug, "title": raster.title_vi, "title_en": raster.title_en,
            "tiles": tile_template(raster.slug), "maxzoom": raster.max_zoom,
            "bounds": [round(west, 5), round(south, 5), round(east, 5), round(north, 5)],
            "attribution": raster.attribution, "value_unit": raster.value_unit,
            "legend": ramp_legend(ramp_name=raster.ramp, stops=list(raster.ramp_stops),
                                  mode=raster.ramp_mode)}


def drill_strings() -> dict:
    """The page script's strings, translated at render time."""
    return {
        "loading": _("Đang tải…"),
        "error": _("Không tải được số liệu: {message}"),
        "retry": _("Thử lại"),
        "province": _("tỉnh"), "district": _("huyện"), "commune": _("xã/phường"),
        "approximate": _("ranh giới gần đúng"),
        "layers_title": _("Đối tượng theo lớp"),
        "incidents_title": _("Sự cố"),
        "incidents_total": _("Tổng số"), "incidents_open": _("Đang xử lý"),
        "incidents_overdue": _("Quá hạn"),
        "by_status": _("Theo tình trạng"), "by_category": _("Theo loại"),
        "recent": _("Mới nhất"), "no_incidents": _("Không có sự cố trong phạm vi này."),
        "children_title": _("Xếp hạng đơn vị con theo “{layer}”"),
        "no_children": _("Đơn vị này không có đơn vị con để so sánh."),
        "legend_title": _("{layer}: số đối tượng"),
        "open_unit": _("Xem {name}"),
        "count": _("{count} đối tượng"),
        "nothing_found": _("Không tìm thấy đơn vị."),
        "window_all": _("mọi thời điểm"),
        "window": _("từ {since} đến {until}"),
        "rasters_title": _("Dữ liệu raster"),
        "raster_overlay": _("Hiện trên bản đồ"),
        "raster_mean": _("{title}: trung bình {value} {unit}"),
        "raster_no_data": _("{title}: không có dữ liệu trong đơn vị này"),
        "raster_pending": _("{title}: đang tính…"),
    }
