"""Operators' pages. Thin: check who is asking, make one read, render.

Who may open the operator map is who may follow the incident feed
(`incidents.realtime.incident_feed_allowed`: incident view rights and some ground), so the page
never opens for someone whose socket the live server would refuse."""
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import never_cache

from access.principal import principal_of
from accounts.selectors import user_otp_pending
from incidents.projection import LAYER_SLUG
from incidents.realtime import incident_feed_allowed
from tiles.style import THEMES

from .labels import operator_map_labels


@never_cache
@login_required
def operator_map(request: HttpRequest) -> HttpResponse:
    """GET /dieu-hanh/ban-do/ — our style with the layers the user may see (incidents among
    them, filtered by role and jurisdiction), refreshed live on every incident event, with a
    list of the events since the page opened. `?theme=dark` for a wall."""
    if user_otp_pending(user=request.user):
        return redirect(f"{reverse('accounts:otp')}?{urlencode({'next': request.get_full_path()})}")
    if not incident_feed_allowed(principal_of(request)):
        return render(request, "console/forbidden.html", status=403)
    theme = request.GET.get("theme", "light")
    theme = theme if theme in THEMES else "light"
    return render(request, "console/operator_map.html", {
        "theme": theme,
        "style_url": f"{reverse('tile-style')}?theme={theme}",
        "worker_url": static("map/maplibre-gl/maplibre-gl-csp-worker.js"),
        "config": {"layer": LAYER_SLUG, **operator_map_labels()},
    })
