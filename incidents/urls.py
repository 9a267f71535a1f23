from django.urls import path, re_path

from . import api, report_api

ID = r"(?P<public_id>PA-[0-9A-Z]{8})"

urlpatterns = [
    path("incidents/", api.IncidentListApi.as_view(), name="incident-list"),
    path("incidents/categories/", api.CategoryListApi.as_view(), name="incident-category-list"),
    path("incidents/duplicates/", report_api.DuplicateListApi.as_view(), name="incident-duplicates"),
    re_path(rf"^incidents/{ID}/$", api.IncidentDetailApi.as_view(), name="incident-detail"),
    re_path(rf"^incidents/{ID}/transition/$", api.IncidentTransitionApi.as_view(),
            name="incident-transition"),
    re_path(rf"^incidents/{ID}/merge/$", api.IncidentMergeApi.as_view(), name="incident-merge"),
    re_path(rf"^incidents/{ID}/comments/$", api.IncidentCommentListApi.as_view(),
            name="incident-comments"),
    re_path(rf"^reports/{ID}/$", report_api.ReportTrackApi.as_view(), name="report-track"),
    re_path(rf"^reports/{ID}/rating/$", report_api.ReportRatingApi.as_view(), name="report-rating"),
    re_path(rf"^reports/{ID}/photos/$", report_api.ReportPhotoListApi.as_view(), name="report-photos"),
    re_path(rf"^reports/{ID}/photos/(?P<number>[1-9][0-9]?)/$", report_api.ReportPhotoApi.as_view(),
            name="report-photo"),
]
