from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotspotsConfig(AppConfig):
    """Incident hotspots (issue 8): counts on a regular grid of hexagons or squares, the
    Getis–Ord Gi* statistic per cell, and hour-of-day × day-of-week patterns, for the leaders'
    dashboard. Reads incidents through the one scoping selector; owns no table."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "hotspots"
    verbose_name = _("Điểm nóng sự cố")
