"""What the dashboard page needs up front: the province and the caller's home unit, the units
source and both generations, the sectors and KPIs' periods on offer, what the caller may do
(export a briefing, read incidents), the API addresses, and the interface strings."""
from datetime import date

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from access.principal import Principal
from incidents.selectors import category_list
from kpi import periods
from kpi.selectors import ground_of, kpi_list_visible
from kpi.units import CURRENT, PRE_REFORM, reform
from layers.conf import PRE_REFORM_REFERENCE_DATE
from layers.models import LayerSource
from layers.selectors import layer_list_visible
from tiles.sources import BASEMAP

from . import conf
from .briefing import pdf_available
from .labels import GENERATIONS, LEVELS, SECTORS, STATUSES

INSIGHTS = {"attention": ("insights-attention", "/api/insights/attention/"),
            "forecast": ("insights-forecast", "/api/insights/forecast/")}


def _url(name: str, fallback: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:  # the insights app is not installed here: the page says "chưa có"
        return fallback


def home_unit(principal: Principal) -> str:
    """Where the dashboard opens: the province for province-wide staff, else the first unit of
    the caller's ground (a current commune, else a pre-reform district), else the province."""
    units = reform()
    province = units.units[units.province_id].code
    ground = ground_of(principal, units)
    if ground is None:
        return province
    for ids in (units.leaves[CURRENT], sorted(units.children)):
        codes = sorted(units.units[i].code for i in ids if i in ground)
        if codes:
            return codes[0]
    return province


def period_choices(today: date, count: int) -> list[list[str]]:
    """The months offered by the period filter, newest first: [label, "MM/YYYY"]."""
    month = periods.containing(today, periods.MONTH)
    choices = []
    for _step in range(count):
        choices.append([month.label, f"{month.start:%m/%Y}"])
        month = month.previous()
    return choices


def dashboard_config(*, principal: Principal, today: date) -> dict:
    """The page's config for the signed-in user."""
    units = reform()
    kpis = kpi_list_visible(principal=principal)
    seen = {kpi.sector for kpi in kpis}
    sectors = [code for code in SECTORS if code in seen] + sorted(seen - set(SECTORS))
    units_source = next((layer.slug for layer in layer_list_visible(principal=principal)
                         if layer.source == LayerSource.ADMIN_UNITS), None)
    return {
        "province": units.units[units.province_id].code,
        "home": home_unit(principal),
        "units_source": units_source,
        "basemap_source": BASEMAP,
        "generations": {CURRENT: None, PRE_REFORM: PRE_REFORM_REFERENCE_DATE.isoformat()},
        "sectors": [[code, str(SECTORS.get(code, code))] for code in sectors],
        "periods": period_choices(today, conf.get("IOC_DASHBOARD_PERIOD_CHOICES")),
        "can_export": principal.has("access.export_data"),
        "pdf": pdf_available(),
        "incidents": principal.has("incidents.view_incident"),
        "hotspot_sectors": sorted({c.sector for c in category_list()}),
        "horizon": conf.get("IOC_DASHBOARD_FORECAST_HORIZON"),
        "api": {
            "summary": reverse("kpi-summary"),
            "values": reverse("kpi-values", kwargs={"code": "KPI"}),
            "units": reverse("dashboard-kpi-units", kwargs={"code": "KPI"}),
            "records": reverse("dashboard-kpi-records", kwargs={"code": "KPI"}),
            "briefing": reverse("dashboard-briefing"),
            "hotspots": _url("hotspots", "/api/hotspots/"),
            **{key: _url(*names) for key, names in INSIGHTS.items()},
        },
        "ops_url": reverse("ops"),
        "statuses": {key: str(label) for key, label in STATUSES.items()},
        "levels": {key: str(label) for key, label in LEVELS.items()},
        "generation_names": {key: str(label) for key, label in GENERATIONS.items()},
    }


def dashboard_strings() -> dict:
    """The page script's strings, translated at render time."""
    return {
        "loading": _("Đang tải…"),
        "error": _("Không tải được số liệu: {message}"),
        "retry": _("Thử lại"),
        "latest": _("Mới nhất"),
        "all_sectors": _("Mọi lĩnh vực"),
        "no_cards": _("Không có chỉ số nào trong phạm vi này."),
        "target": _("Chỉ tiêu: {target}"),
        "no_target": _("Chưa có chỉ tiêu"),
        "no_value": _("Chưa có số liệu"),
        "trend_good": _("tốt lên so với kỳ trước"),
        "trend_bad": _("xấu đi so với kỳ trước"),
        "trend_flat": _("không đổi so với kỳ trước"),
        "selected_title": _("{kpi} – {unit}, kỳ {period}"),
        "map_title": _("{kpi} theo {level}, kỳ {period}"),
        "legend_no_value": _("Không có số liệu"),
        "ranking_title": _("Xếp hạng {level} (tốt nhất trước)"),
        "no_children": _("Đơn vị này không có đơn vị con để so sánh."),
        "open_unit": _("Xem {name}"),
        "chart_title": _("Diễn biến {kpi}"),
        "chart_legend": _("Đường liền: giá trị; đường đứt đỏ: chỉ tiêu"),
        "forecast_legend": _("Dự báo ({model}): dải đậm 80 %, dải nhạt 95 %"),
        "mape": _("{metric} {mape} %"),
        "forecast_latest_only": _("Dự báo chỉ hiện khi xem kỳ mới nhất."),
        "forecast_none": _("Dự báo: chưa có"),
        "attention_title": _("Cần chú ý"),
        "attention_none": _("Không có chỉ số nào đang xấu đi hoặc liên tục không đạt."),
        "attention_unavailable": _("Danh sách cần chú ý: chưa có"),
        "attention_since": _("từ {since}"),
        "streak": _("{n} kỳ liên tiếp không đạt"),
        "slope": _("độ dốc = {slope}/kỳ"),
        "change": _("thay đổi {change}"),
        "records_button": _("Xem hồ sơ"),
        "records_title": _("Hồ sơ của {kpi} – {unit}, kỳ {period}"),
        "records_count": _("{shown}/{total} hồ sơ bạn được xem; giá trị chỉ số: {value}"),
        "records_none": _("Không có hồ sơ nào bạn được xem."),
        "records_not_available": _("Chỉ số nhập từ nguồn bên ngoài: không có hồ sơ trong hệ thống."),
        "on_time": _("đúng hạn"), "late": _("trễ hạn"),
        "hotspots_toggle": _("Điểm nóng sự cố trên bản đồ"),
        "hotspots_title": _("Điểm nóng sự cố"),
        "hotspots_window": _("từ {since} đến {until}"),
        "hotspots_none": _("Không có điểm nóng có ý nghĩa thống kê."),
        "hotspots_cell": _("{commune}: {count} sự cố, z = {z}"),
        "briefing": _("Xuất báo cáo nhanh (HTML)"),
        "briefing_pdf": _("PDF"),
    }
