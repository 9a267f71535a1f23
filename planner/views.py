"""The planner's page (/planner/): overlays with opacity, a drawn polygon's counts, exports of
what is visible and the offline briefing map. Thin: who may open it and the page's config;
every figure and file comes from the API (planner/api.py, layers/exports.py)."""
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from access.principal import principal_of
from ioc_gis.screens import map_urls, screen_config, screen_theme, staff_screen

from .config import planner_config, planner_strings
from .selectors import can_plan


@staff_screen(can_plan, refusal=_("Tài khoản không có quyền xem bản đồ."))
def screen(request: HttpRequest) -> HttpResponse:
    """GET /planner/ — the map with the planner's panel."""
    theme = screen_theme(request)
    config = planner_config(principal=principal_of(request))
    return render(request, "planner/planner.html", {
        "theme": theme, "nav": "planner", "with_map": True, **map_urls(theme),
        "config": screen_config(config, planner_strings())})
