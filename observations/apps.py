from django.apps import AppConfig


class ObservationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "observations"
    verbose_name = "Dữ liệu cảm biến"
