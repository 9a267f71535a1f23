from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "integration"
    verbose_name = "Tích hợp dữ liệu"

    def ready(self) -> None:
        # Registers the Celery task with the app (ioc_gis/celery.py discovers incidents only).
        from . import tasks  # noqa: F401
