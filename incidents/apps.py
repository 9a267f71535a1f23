from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    """Incidents and citizens' field reports (phản ánh hiện trường). Models arrive with the
    incident-workflow issue; the app exists now so the layout and dependencies are fixed."""

    name = "incidents"
    verbose_name = "Sự cố và phản ánh hiện trường"
