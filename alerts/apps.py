from django.apps import AppConfig


class AlertsConfig(AppConfig):
    """Alerts raised to the department that owns a source or an indicator (stale feeds, failing
    imports, deteriorating KPIs), with e-mail through an outbox."""
    default_auto_field = "django.db.models.BigAutoField"
    name = "alerts"
    verbose_name = "Cảnh báo"
