from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """Operators' pages (điều hành): for now the live operator map; the full console follows.

    Pages only, like the citizen app: the map draws the tiles and style of the tiles app for the
    signed-in user, and incident events arrive on the live push socket (live/, ADR 0009)."""

    name = "console"
    verbose_name = "Điều hành"
