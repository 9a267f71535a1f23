from django.apps import AppConfig


class TilesConfig(AppConfig):
    """Vector tiles rendered from layers' selectors. No business logic lives here."""

    name = "tiles"
    verbose_name = "Tile bản đồ"
