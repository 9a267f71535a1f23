"""What every staff screen (/wall/, /ops/, /drill/, /planner/) shares: who may open it, and the
context its base template needs. Views stay thin: `@staff_screen(allowed)` checks, the view
makes one read and renders `ioc_gis/screen.html`'s child template.

A screen's scripts get everything from the page itself (no inline script under our CSP):
URLs in data- attributes of the map element, and one JSON block `#screen-config` with the
screen's config and its interface strings in the active language (`strings`)."""
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from access.principal import Principal, principal_of
from accounts.selectors import user_otp_pending
from tiles.style import THEMES

Allowed = Callable[[Principal], bool]


def staff_screen(allowed: Allowed, *, refusal: str):
    """Signed-in staff only: anonymous callers go to the login page, a session owing its second
    factor to the OTP page, and a user `allowed` refuses gets a 403 page saying `refusal`."""
    def decorate(view):
        @never_cache
        @login_required
        @wraps(view)
        def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if user_otp_pending(user=request.user):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('accounts:otp')}?{query}")
            if not allowed(principal_of(request)):
                return render(request, "ioc_gis/screen_forbidden.html",
                              {"refusal": refusal}, status=403)
            return view(request, *args, **kwargs)
        return checked
    return decorate


def screen_theme(request: HttpRequest, default: str = "light") -> str:
    """`?theme=` when it names one of our map themes, else `default`."""
    theme = request.GET.get("theme", default)
    return theme if theme in THEMES else default


def map_urls(theme: str) -> dict:
    """The data- attributes `iocMapCreate` (tiles/static/tiles/map-base.js) reads."""
    return {"style_url": f"{reverse('tile-style')}?theme={theme}",
            "worker_url": static("map/maplibre-gl/maplibre-gl-csp-worker.js")}


def screen_config(config: dict, strings: dict) -> dict:
    """The JSON block of a screen: its config, its strings (already translated: lazy strings
    are resolved here, in the request's language) and that language."""
    return {**config, "language": get_language() or "vi",
            "strings": {key: str(text) for key, text in strings.items()}}
