from django.apps import AppConfig


class OgcConfig(AppConfig):
    """OGC API – Features 1.0.1 (Part 1: Core, GeoJSON, OpenAPI 3.0) over the layer registry."""

    name = "ogc"
    verbose_name = "OGC API – Features"
