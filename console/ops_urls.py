"""The operator console, included at /ops/ by ioc_gis/urls.py."""
from django.urls import path

from . import views

urlpatterns = [
    path("", views.operator_map, name="ops"),
]
