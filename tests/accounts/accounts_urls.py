"""The project's URLs with the accounts app included at /accounts/ (a stand-in until
ioc_gis/urls.py includes it; then this adds nothing)."""
from django.urls import include, path

from ioc_gis import urls as project_urls

handler404 = project_urls.handler404
handler500 = project_urls.handler500

_included = any(getattr(pattern, "namespace", None) == "accounts"
                for pattern in project_urls.urlpatterns)
urlpatterns = list(project_urls.urlpatterns)
if not _included:
    urlpatterns.append(path("accounts/", include("accounts.urls")))
