"""/api/wall/… — the wall's data: scenes and pin, KPI strip, recent incidents."""
from django.urls import path

from . import api

urlpatterns = [
    path("scenes/", api.SceneListApi.as_view(), name="wall-scenes"),
    path("pin/", api.PinApi.as_view(), name="wall-pin"),
    path("kpi/", api.KpiApi.as_view(), name="wall-kpi"),
    path("events/", api.RecentIncidentListApi.as_view(), name="wall-events"),
]
