"""The operator console, included at /ops/ by ioc_gis/urls.py."""
from django.urls import path

from . import ops

urlpatterns = [
    path("", ops.ops_console, name="ops"),
]
