from django.urls import path

from . import api

urlpatterns = [
    path("streams/", api.StreamListApi.as_view(), name="observation-streams"),
    path("latest/", api.LatestListApi.as_view(), name="observation-latest"),
    path("", api.ObservationListApi.as_view(), name="observation-list"),
]
