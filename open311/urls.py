"""/open311/v2/…: each resource with its format extension (.json or .xml). An extension that
is missing or unknown is a 400 and any other path a 404, both in the spec's error format."""
from django.urls import re_path

from . import views

FMT = r"(?:\.(?P<fmt>[^/]*))?"
CODE = r"(?P<service_code>[-a-zA-Z0-9_]{1,40})"

urlpatterns = [
    re_path(rf"^discovery{FMT}$", views.DiscoveryView.as_view(), name="open311-discovery"),
    re_path(rf"^services{FMT}$", views.ServiceListView.as_view(), name="open311-services"),
    re_path(rf"^services/{CODE}{FMT}$", views.ServiceDefinitionView.as_view(),
            name="open311-service"),
    re_path(rf"^requests{FMT}$", views.RequestListView.as_view(), name="open311-requests"),
    re_path(rf"^requests/(?P<service_request_id>[-a-zA-Z0-9]{{1,40}}){FMT}$",
            views.RequestDetailView.as_view(), name="open311-request"),
    re_path(rf"^tokens/(?P<token>[-a-zA-Z0-9]{{1,40}}){FMT}$", views.TokenView.as_view(),
            name="open311-token"),
    re_path(r"^(?P<rest>.*)$", views.PathNotFoundView.as_view(), name="open311-path"),
]
