from django.apps import AppConfig


class SourcesConfig(AppConfig):
    """Liveness and quality of every data source (connectors, sensor streams, layers), the
    department officers' data page (/data/) and the stale-source alerts."""
    default_auto_field = "django.db.models.BigAutoField"
    name = "sources"
    verbose_name = "Nguồn dữ liệu"
