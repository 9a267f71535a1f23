"""URLs of the accounts app, included at /accounts/ by ioc_gis/urls.py."""
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("otp/", views.otp_verify, name="otp"),
]
