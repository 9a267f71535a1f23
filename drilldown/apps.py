from django.apps import AppConfig


class DrilldownConfig(AppConfig):
    """Leaders' drill-down (/drill/): province → unit → records, in both unit generations."""
    default_auto_field = "django.db.models.BigAutoField"
    name = "drilldown"
    verbose_name = "Chỉ đạo điều hành"
