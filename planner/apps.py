from django.apps import AppConfig


class PlannerConfig(AppConfig):
    """Planners' view (/planner/): overlays, polygon counts, exports, briefing maps."""
    default_auto_field = "django.db.models.BigAutoField"
    name = "planner"
    verbose_name = "Quy hoạch"
