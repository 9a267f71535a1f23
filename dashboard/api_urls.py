"""The dashboard's API, included at /api/dashboard/ by ioc_gis/urls.py."""
from django.urls import path

from . import api

urlpatterns = [
    path("kpi/<slug:code>/units/", api.KpiUnitsApi.as_view(), name="dashboard-kpi-units"),
    path("kpi/<slug:code>/records/", api.KpiRecordsApi.as_view(), name="dashboard-kpi-records"),
    path("briefing/", api.BriefingApi.as_view(), name="dashboard-briefing"),
]
