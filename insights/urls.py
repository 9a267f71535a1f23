"""/api/insights/… (included by ioc_gis/urls.py): what needs attention, and forecasts."""
from django.urls import path

from . import api

urlpatterns = [
    path("attention/", api.AttentionListApi.as_view(), name="insights-attention"),
    path("forecast/", api.ForecastApi.as_view(), name="insights-forecast"),
]
