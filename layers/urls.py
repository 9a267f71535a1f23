from django.urls import path, re_path

from . import api, exports, feature_api

urlpatterns = [
    path("units/", api.UnitListApi.as_view(), name="unit-list"),
    path("units/locate/", api.UnitLocateApi.as_view(), name="unit-locate"),
    re_path(r"^units/(?P<code>[0-9]{2,5})/$", api.UnitDetailApi.as_view(), name="unit-detail"),
    re_path(r"^units/(?P<code>[0-9]{2,5})/stats/$", api.UnitStatsApi.as_view(),
            name="unit-stats"),
    path("layers/", api.LayerListApi.as_view(), name="layer-list"),
    path("layers/<slug:slug>/", api.LayerDetailApi.as_view(), name="layer-detail"),
    path("layers/<slug:slug>/features/", feature_api.FeatureListApi.as_view(),
         name="feature-list"),
    re_path(r"^layers/(?P<slug>[-a-z0-9]+)/features/(?P<external_id>[^/]{1,200})/$",
            feature_api.FeatureDetailApi.as_view(), name="feature-detail"),
    path("layers/<slug:slug>/export/", exports.LayerExportApi.as_view(), name="layer-export"),
]
