from django.urls import path, re_path

from . import pages, views

# Any text may stand for z/x/y so that a bad address is a 404 in the API's error format.
urlpatterns = [
    path("preview/", pages.preview, name="tile-preview"),
    path("style.json", views.StyleApi.as_view(), name="tile-style"),
    re_path(r"^(?P<slug>[-a-z0-9]{1,63})\.json$", views.TileJsonApi.as_view(), name="tilejson"),
    re_path(r"^(?P<slug>[-a-z0-9]{1,63})/(?P<z>[^/]{1,12})/(?P<x>[^/]{1,12})/(?P<y>[^/.]{1,12})"
            r"\.pbf$", views.TileApi.as_view(), name="tile"),
]
