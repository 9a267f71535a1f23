"""django-axes hooks: the lockout answer (HTML page or API JSON, HTTP 429) and the client
address used to count failures."""
from axes.helpers import get_cool_off
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ioc_gis.api.errors import json_error_response

from . import conf

LOCKOUT_STATUS = 429
LOCKOUT_TEMPLATE = "accounts/lockout.html"


def lockout_minutes(request: HttpRequest) -> int:
    """Length of a lock in whole minutes (AXES_COOLOFF_TIME)."""
    cool_off = get_cool_off(request)
    return max(1, round(cool_off.total_seconds() / 60)) if cool_off else 0


def lockout_message(minutes: int) -> str:
    """The Vietnamese sentence shown to a locked-out client."""
    return ("Tài khoản tạm thời bị khóa do đăng nhập sai quá nhiều lần. "
            f"Vui lòng thử lại sau {minutes} phút kể từ lần đăng nhập sai cuối cùng.")


def wants_json(request: HttpRequest) -> bool:
    """API paths, and clients that accept JSON but not HTML, get the API error format."""
    if request.path.startswith("/api/"):
        return True
    return request.accepts("application/json") and not request.accepts("text/html")


def lockout_response(request: HttpRequest, original_response=None, credentials=None
                     ) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: 429 with a Retry-After header, as JSON or as a page."""
    minutes = lockout_minutes(request)
    message = lockout_message(minutes)
    if wants_json(request):
        response = json_error_response(LOCKOUT_STATUS, "locked_out", message)
    else:
        context = {**admin.site.each_context(request), "title": "Tài khoản tạm thời bị khóa",
                   "message": message}
        response = render(request, LOCKOUT_TEMPLATE, context, status=LOCKOUT_STATUS)
    if minutes:
        response["Retry-After"] = str(minutes * 60)
    return response


def client_ip(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: REMOTE_ADDR, or the address the outermost trusted proxy saw.

    With N trusted proxies each appending to X-Forwarded-For, the client is the N-th entry
    from the right; anything further left was written by the client and is not trusted.
    """
    proxies = conf.trusted_proxy_count()
    if proxies > 0:
        forwarded = [part.strip() for part in
                     request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
