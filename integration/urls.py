from django.urls import path

from . import api

urlpatterns = [
    path("connectors/<int:pk>/runs/", api.RunCreateApi.as_view(), name="integration-run-create"),
    path("connectors/<int:pk>/pull/", api.PullCreateApi.as_view(),
         name="integration-connector-pull"),
    path("runs/<int:pk>/", api.RunDetailApi.as_view(), name="integration-run-detail"),
    path("runs/<int:pk>/report.csv", api.RunReportApi.as_view(), name="integration-run-report"),
]
