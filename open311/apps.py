from django.apps import AppConfig


class Open311Config(AppConfig):
    """Open311 GeoReport v2 at /open311/v2/: the standard door for third-party reporting apps,
    in front of the incidents workflow (no domain logic of its own)."""

    name = "open311"
    verbose_name = "Open311 GeoReport v2"
