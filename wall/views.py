"""The wall page (/wall/). Thin: who may open it is who may follow the incident feed (the live
server's own rule), then one render; everything else comes from /api/wall/… and the socket."""
import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from incidents.projection import LAYER_SLUG
from incidents.realtime import incident_feed_allowed
from ioc_gis.screens import map_urls, screen_config, screen_theme, staff_screen

from . import conf
from .labels import STRINGS, wall_labels

SLUG = re.compile(r"^[-a-z0-9]{1,50}$")


def wall_config(request: HttpRequest) -> dict:
    """URLs, timings, the scene asked for (`?scene=`) and code names for the wall's script."""
    asked = request.GET.get("scene", "")
    return {
        "urls": {name: reverse(f"wall-{name}") for name in ("scenes", "pin", "kpi", "events")},
        "incidents_layer": LAYER_SLUG,
        "scene": asked if SLUG.match(asked) else None,
        "pin_poll_seconds": conf.pin_poll_seconds(),
        "kpi_poll_seconds": conf.kpi_poll_seconds(),
        "events_shown": conf.events_shown(),
        "labels": wall_labels(),
    }


@staff_screen(incident_feed_allowed, refusal=_("Tài khoản không có quyền xem màn hình tường."))
def screen(request: HttpRequest) -> HttpResponse:
    """GET /wall/ — the video wall: full-screen dark map, scenes in turn, KPI strip, clock,
    recent incidents, live markers. `?scene=<slug>` shows one scene; `?theme=light`."""
    theme = screen_theme(request, default="dark")
    return render(request, "wall/wall.html", {
        "theme": theme, "with_map": True, "nav": "wall", **map_urls(theme),
        "config": screen_config(wall_config(request), STRINGS),
    })
