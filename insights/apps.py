from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """KPI insights (issue 8, points 4 and 5): deteriorating trends and off-target streaks that
    need attention, raised as alerts to the KPI's owner; forecasts chosen by backtest."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "insights"
    verbose_name = _("Phân tích chỉ số KPI")

    def ready(self) -> None:
        from . import tasks  # noqa: F401  (registers the Celery task)
