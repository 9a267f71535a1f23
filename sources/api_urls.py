"""/api/sources/… — liveness and quality of the data sources."""
from django.urls import path

from . import api

urlpatterns = [
    path("", api.SourceListApi.as_view(), name="source-list"),
    path("check/", api.SourceCheckApi.as_view(), name="source-check"),
]
