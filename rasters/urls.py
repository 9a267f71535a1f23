"""Raster routes, included at the root by ioc_gis/urls.py before the vector tiles (whose slug
`raster` is reserved for these): the API under /api/, the tiles under /tiles/raster/."""
from django.urls import re_path

from . import api, tile_views

# Any text may stand for z/x/y so that a bad address is a 404 in the API's error format.
urlpatterns = [
    re_path(r"^api/rasters/$", api.RasterListApi.as_view(), name="raster-list"),
    re_path(r"^api/rasters/(?P<slug>[^/]{1,80})/zonal/$", api.RasterZonalApi.as_view(),
            name="raster-zonal"),
    re_path(r"^api/units/(?P<code>[0-9]{2,5})/rasters/$", api.UnitRastersApi.as_view(),
            name="unit-rasters"),
    re_path(r"^tiles/raster/(?P<slug>[^/]{1,80})\.json$",
            tile_views.RasterTileJsonApi.as_view(), name="raster-tilejson"),
    re_path(r"^tiles/raster/(?P<slug>[^/]{1,80})/(?P<z>[^/]{1,12})/(?P<x>[^/]{1,12})"
            r"/(?P<y>[^/.]{1,12})\.png$", tile_views.RasterTileApi.as_view(), name="raster-tile"),
]
