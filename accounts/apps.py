"""App configuration of accounts (sign-in security)."""
from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Staff sign-in: lockout after repeated failures, TOTP for administrators, idle timeout."""

    name = "accounts"
    verbose_name = "Tài khoản và đăng nhập"

    def ready(self) -> None:
        """Give the default admin site (`admin.site`) the second-factor check.

        Swapping the class keeps the instance, so every ModelAdmin registered on it and the
        site_header set in ioc_gis/urls.py stay as they are; IocAdminSite only adds methods.
        """
        from django.contrib import admin
        from django.core.exceptions import ImproperlyConfigured

        from .admin import IocAdminSite

        if admin.site.__class__ is admin.AdminSite:  # the lazy default site proxies __class__
            admin.site.__class__ = IocAdminSite
        elif not isinstance(admin.site, IocAdminSite):
            raise ImproperlyConfigured(
                f"admin.site is a {admin.site.__class__.__name__}: it must subclass "
                "accounts.admin.IocAdminSite, or administrators could skip the second factor.")
