from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Staff sign-in: lockout after repeated failures, TOTP for administrators, idle timeout."""

    name = "accounts"
    verbose_name = "Tài khoản và đăng nhập"

    def ready(self) -> None:
        """Give the default admin site (`admin.site`) the second-factor check.

        Swapping the class keeps the instance, so every ModelAdmin registered on it and the
        site_header set in ioc_gis/urls.py stay as they are. IocAdminSite adds methods only.
        """
        from django.contrib import admin
        from django.core.exceptions import ImproperlyConfigured

        from .admin import IocAdminSite

        site_class = type(admin.site._wrapped if hasattr(admin.site, "_wrapped") else admin.site)
        if issubclass(site_class, IocAdminSite):
            return
        admin.site.name  # noqa: B018 - make the lazy default site build itself first
        if type(admin.site._wrapped) is not admin.AdminSite:
            raise ImproperlyConfigured(
                f"accounts: admin.site is a {type(admin.site._wrapped).__name__}; make it "
                "subclass accounts.admin.IocAdminSite to keep the second factor.")
        admin.site.__class__ = IocAdminSite
