"""Operators' pages, included at /dieu-hanh/ by ioc_gis/urls.py."""
from django.urls import path

from . import views

urlpatterns = [
    path("ban-do/", views.operator_map, name="console-map"),
]
