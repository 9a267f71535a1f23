from django.apps import AppConfig


class TilesConfig(AppConfig):
    """Vector tiles of the layer registry: rendering, caching and invalidation (ADR 0007)."""

    name = "tiles"
    verbose_name = "Tile bản đồ"

    def ready(self) -> None:
        from . import signals  # noqa: F401
