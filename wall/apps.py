from django.apps import AppConfig


class WallConfig(AppConfig):
    """The video-wall display (/wall/): scenes, KPI strip, live incidents."""
    default_auto_field = "django.db.models.BigAutoField"
    name = "wall"
    verbose_name = "Màn hình tường"
