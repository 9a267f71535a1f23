"""The second-factor page: enrol a TOTP authenticator, or enter its code."""
from base64 import b32encode

import django_otp
import segno
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from . import selectors, services
from .errors import OtpThrottled, OtpTokenInvalid
from .forms import OtpTokenForm


@sensitive_post_parameters("token")
@never_cache
@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """GET shows the form (with a QR code when the user has no confirmed device yet);
    POST checks the code, marks the session verified and goes on to `next`."""
    next_url = safe_next_url(request)
    user = request.user
    if selectors.user_otp_verified(user=user):
        return redirect(next_url)
    device = selectors.totp_device_confirmed_for(user=user)
    enrolling = device is None
    if enrolling:
        device = services.totp_device_pending_get_or_create(user=user)
    form = OtpTokenForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            device = services.totp_device_verify(device=device, token=form.cleaned_data["token"])
        except (OtpTokenInvalid, OtpThrottled) as error:
            form.add_error("token", error.message)
        else:
            request.session.cycle_key()  # the session just gained rights: new key
            django_otp.login(request, device)
            if enrolling:
                messages.success(request, "Đã kích hoạt xác thực hai lớp cho tài khoản.")
            return redirect(next_url)
    context = {
        **admin.site.each_context(request),
        "title": "Xác thực hai lớp", "form": form, "next": next_url, "enrolling": enrolling,
        "otp_required": selectors.user_is_administrator(user=user),
        "username": user.get_username(),
    }
    if enrolling:
        context.update(qr_svg=qr_code_svg(device.config_url), secret=grouped_secret(device))
    return render(request, "accounts/otp.html", context)


def safe_next_url(request: HttpRequest) -> str:
    """The `next` parameter if it points at this site, else the admin index."""
    candidate = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
    if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return candidate
    return resolve_url("admin:index")


def qr_code_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG QR code, made here (no external service, no script)."""
    qr = segno.make(uri, error="m")
    svg = qr.svg_inline(scale=4, border=4, dark="#000", light="#fff",
                        title="Mã QR thiết lập ứng dụng xác thực")
    return mark_safe(svg)  # noqa: S308 - segno's own markup; the URI is encoded in the modules


def grouped_secret(device) -> str:
    """The base32 key in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
