"""The operator console /ops/: incidents list and map side by side, a detail drawer, live.

Thin: `@staff_screen` checks who is asking (who may follow the incident feed, the socket's own
rule), `ops_config` is the one read, the page renders. Everything else — the list, the detail,
the workflow — goes through the incidents API from the page's scripts, so the console can do
nothing the API would not let the same user do."""
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from access.principal import principal_of
from incidents.realtime import incident_feed_allowed
from ioc_gis.screens import map_urls, screen_config, screen_theme, staff_screen

from .labels import ops_config
from .ops_strings import OPS_STRINGS


@staff_screen(incident_feed_allowed, refusal=_(
    "Tài khoản của bạn chưa được giao quyền theo dõi sự cố, hoặc chưa được giao địa bàn. "
    "Hãy liên hệ quản trị hệ thống."))
def ops_console(request: HttpRequest) -> HttpResponse:
    """GET /ops/ — the console for staff who may follow incidents (after their second factor);
    `?theme=dark` for a dark room."""
    theme = screen_theme(request)
    config = ops_config(principal=principal_of(request))
    return render(request, "console/ops.html", {
        "theme": theme, "nav": "ops", "with_map": True, **map_urls(theme),
        "config": screen_config(config, OPS_STRINGS),
    })
