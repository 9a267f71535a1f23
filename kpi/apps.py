from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    """Key performance indicators: the registry, values with provenance, computed KPIs, status
    against targets and re-aggregation across the 2025 reform (issue 8)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "kpi"
    verbose_name = _("Chỉ số KPI")

    def ready(self) -> None:
        # Registers the Celery task with the app (ioc_gis/celery.py discovers incidents only).
        from . import tasks  # noqa: F401
