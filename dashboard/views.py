"""The strategic dashboard (/dashboard/): KPI cards by sector, a choropleth and ranking of
units, the chosen KPI's series with target and forecast, the attention list, the records
behind computed KPIs, the briefing export. Thin: who may open it, the page's config; every
figure comes from the APIs as the user filters and drills."""
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.principal import principal_of
from ioc_gis.screens import map_urls, screen_config, screen_theme, staff_screen

from .config import dashboard_config, dashboard_strings
from .selectors import dashboard_allowed


@staff_screen(dashboard_allowed, refusal=_(
    "Tài khoản không có quyền xem các chỉ số điều hành (KPI) của ngành nào."))
def screen(request: HttpRequest) -> HttpResponse:
    """GET /dashboard/ — `?unit=&generation=&period=&sector=&kpi=` open a view directly;
    `?theme=dark` for a wall."""
    theme = screen_theme(request)
    config = dashboard_config(principal=principal_of(request), today=timezone.localdate())
    return render(request, "dashboard/dashboard.html", {
        "theme": theme, "nav": "dashboard", "with_map": True, **map_urls(theme),
        "config": screen_config(config, dashboard_strings())})
