"""/data/ — the data sources page (the API lives in api_urls.py)."""
from django.urls import path

from . import views

urlpatterns = [
    path("", views.screen, name="data"),
]
