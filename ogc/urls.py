"""/ogc/…: OGC API – Features 1.0.1. Paths answer with or without a trailing slash (clients
differ); any other path is a 404 in the OGC exception format."""
from django.urls import re_path

from . import views

COLLECTION = r"collections/(?P<collection_id>[a-z][a-z0-9-]{1,62})"

urlpatterns = [
    re_path(r"^$", views.LandingApi.as_view(), name="ogc-landing"),
    re_path(r"^conformance/?$", views.ConformanceApi.as_view(), name="ogc-conformance"),
    re_path(r"^api/?$", views.OpenApiDefinitionApi.as_view(), name="ogc-openapi"),
    re_path(r"^collections/?$", views.CollectionListApi.as_view(), name="ogc-collections"),
    re_path(rf"^{COLLECTION}/?$", views.CollectionApi.as_view(), name="ogc-collection"),
    re_path(rf"^{COLLECTION}/items/?$", views.ItemListApi.as_view(), name="ogc-items"),
    re_path(rf"^{COLLECTION}/items/(?P<feature_id>.+)$", views.ItemApi.as_view(),
            name="ogc-item"),
    re_path(r"^(?P<rest>.*)$", views.PathNotFoundApi.as_view(), name="ogc-not-found"),
]
