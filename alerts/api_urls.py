"""/api/alerts/… — alerts raised to owner departments."""
from django.urls import path

from . import api

urlpatterns = [
    path("", api.AlertListApi.as_view(), name="alert-list"),
    path("<int:pk>/acknowledge/", api.AlertAcknowledgeApi.as_view(), name="alert-acknowledge"),
]
