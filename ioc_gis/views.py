"""Project-level pages: the landing page and error handlers that speak JSON on /api/."""
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults

from ioc_gis.api.errors import json_error_response


def home(request: HttpRequest) -> HttpResponse:
    """Landing page with the ways in (the map screens arrive with later issues)."""
    return render(request, "ioc_gis/home.html")


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(("/api/", "/tiles/"))


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 raised by Django itself (an unknown Host header, a malformed request): JSON error
    format on the API, HTML elsewhere."""
    if _is_api(request):
        return json_error_response(400, "bad_request", "Yêu cầu không hợp lệ.")
    return defaults.bad_request(request, exception)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: JSON error format on the API, HTML elsewhere."""
    if _is_api(request):
        return json_error_response(404, "not_found", "Không tìm thấy.")
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: JSON error format on the API, HTML elsewhere."""
    if _is_api(request):
        return json_error_response(500, "server_error", "Lỗi máy chủ.")
    return defaults.server_error(request)
