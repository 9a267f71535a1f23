from django.apps import AppConfig


class LiveConfig(AppConfig):
    """Live push: incident events to operators' and wall displays' pages over a WebSocket
    (Django Channels), scoped by each client's jurisdiction (docs/adr/0009-live-push.md)."""

    name = "live"
    verbose_name = "Cập nhật trực tiếp"
