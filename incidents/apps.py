from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    """Incidents and citizens' field reports (phản ánh hiện trường): status machine, routing,
    duplicates, the incidents map layer."""

    name = "incidents"
    verbose_name = "Sự cố và phản ánh hiện trường"

    def ready(self) -> None:
        from . import signals  # noqa: F401
