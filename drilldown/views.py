"""The leaders' drill-down page (/drill/): the map of the province with a panel of the chosen
unit's figures. Thin: who may open it, and the page's config (names of codes, the units
source, the generations); every figure comes from the API as the user drills."""
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from access.principal import principal_of
from ioc_gis.screens import map_urls, screen_config, screen_theme, staff_screen

from .config import drill_config, drill_strings


def _may_view_map(principal) -> bool:
    return principal.has("layers.view_adminunit")


@staff_screen(_may_view_map, refusal="Tài khoản không có quyền xem bản đồ.")
def screen(request: HttpRequest) -> HttpResponse:
    """GET /drill/ — `?unit=&generation=&since=&until=&layer=` open a view directly."""
    theme = screen_theme(request)
    config = drill_config(principal=principal_of(request), today=timezone.localdate())
    return render(request, "drilldown/drill.html", {
        "theme": theme, "nav": "drill", "with_map": True, **map_urls(theme),
        "config": screen_config(config, drill_strings())})
