"""The admin site with the second factor: administrators (and staff who enrolled) must pass
TOTP before any admin page but logout. Installed over `admin.site` by AccountsConfig.ready()."""
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from . import selectors
from .middleware import SESSION_EXPIRED_FLAG

IDLE_LOGOUT_MESSAGE = "Phiên làm việc đã hết hạn do không hoạt động. Vui lòng đăng nhập lại."


class IocAdminSite(admin.AdminSite):
    """AdminSite whose permission check also demands a verified second factor when due."""

    def has_permission(self, request: HttpRequest) -> bool:
        """Active staff, verified by OTP if required; logout stays open to unverified staff."""
        if not super().has_permission(request):
            return False
        if request.path == reverse("admin:logout", current_app=self.name):
            return True
        return not selectors.user_otp_pending(user=request.user)

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """The admin login, sending a user who owes the second factor to the OTP page."""
        if request.method == "GET":
            if request.session.pop(SESSION_EXPIRED_FLAG, False):
                messages.warning(request, IDLE_LOGOUT_MESSAGE)
            if selectors.user_otp_pending(user=request.user):
                return otp_redirect(request.GET.get(REDIRECT_FIELD_NAME))
            return super().login(request, extra_context)
        response = super().login(request, extra_context)
        if response.status_code == 302 and selectors.user_otp_pending(user=request.user):
            return otp_redirect(response["Location"])  # LoginView has checked it is safe
        return response


def otp_redirect(next_url: str | None) -> HttpResponseRedirect:
    """Redirect to the second-factor page, keeping where the user was going."""
    url = reverse("accounts:otp")
    if next_url:
        url = f"{url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"
    return HttpResponseRedirect(url)
