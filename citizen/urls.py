"""Citizens' pages, included at /phan-anh/ by ioc_gis/urls.py."""
from django.urls import path, re_path
from django.views.i18n import set_language

from . import views

urlpatterns = [
    path("", views.report_form, name="citizen-report"),
    path("tra-cuu/", views.report_lookup, name="citizen-lookup"),
    # Django's language switch (POST, CSRF-checked, `next` kept on our own site).
    path("ngon-ngu/", set_language, name="citizen-language"),
    re_path(r"^(?P<public_id>PA-[0-9A-Z]{8})/$", views.report_track, name="citizen-track"),
]
