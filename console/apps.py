from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """Operators' pages (điều hành): the operator console /ops/ (list, map, detail drawer) and
    the live operator map /dieu-hanh/ban-do/.

    Pages only, like the citizen app: the maps draw the tiles and style of the tiles app for the
    signed-in user, the console reads and acts through the incidents API, and incident events
    arrive on the live push socket (live/, ADR 0009)."""

    name = "console"
    verbose_name = "Điều hành"
