"""Routes of the planner's API, included at /api/planner/."""
from django.urls import path

from . import api

urlpatterns = [
    path("within/", api.WithinApi.as_view(), name="planner-within"),
    path("briefing/", api.BriefingApi.as_view(), name="planner-briefing"),
]
