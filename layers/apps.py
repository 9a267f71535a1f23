from django.apps import AppConfig


class LayersConfig(AppConfig):
    """Administrative units (versioned), the layer registry and the feature store."""

    name = "layers"
    verbose_name = "Lớp bản đồ và đơn vị hành chính"
