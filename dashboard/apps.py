from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The strategic dashboard (/dashboard/): every sector's KPIs with status, a choropleth and
    ranking of units, series with targets and forecasts, the records behind computed KPIs, and
    an offline briefing export."""
    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboard"
    verbose_name = "Bảng điều hành chiến lược"
