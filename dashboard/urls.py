"""The strategic dashboard page, included at /dashboard/ by ioc_gis/urls.py."""
from django.urls import path

from . import views

urlpatterns = [
    path("", views.screen, name="dashboard"),
]
