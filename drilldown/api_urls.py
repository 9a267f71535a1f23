"""The drill-down's API, included at /api/drill/ by ioc_gis/urls.py."""
from django.urls import re_path

from . import api

urlpatterns = [
    re_path(r"^units/(?P<code>[0-9]{2,5})/incidents/$", api.UnitIncidentsApi.as_view(),
            name="drill-unit-incidents"),
]
