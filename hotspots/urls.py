"""The hotspots API, included at /api/hotspots/ by ioc_gis/urls.py."""
from django.urls import path

from . import api

urlpatterns = [
    path("", api.HotspotsApi.as_view(), name="hotspots"),
    path("patterns/", api.HotspotPatternsApi.as_view(), name="hotspot-patterns"),
]
