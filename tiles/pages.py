"""HTML pages of the tiles app: the tile preview, a full-window MapLibre map of our style."""
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from .style import THEMES


def preview(request: HttpRequest) -> HttpResponse:
    """GET /tiles/preview/ — our style in MapLibre, with a panel to toggle the sector layers.

    Open to anyone: the page holds no data, and the style it loads (with the caller's cookies)
    lists only the layers the caller may see. `?theme=dark` previews the wall's theme."""
    theme = request.GET.get("theme", "light")
    theme = theme if theme in THEMES else "light"
    return render(request, "tiles/preview.html", {
        "theme": theme,
        "style_url": f"{reverse('tile-style')}?theme={theme}",
    })
