"""The incidents map layer: each incident's public projection is a feature of layer `incidents`,
written in the incident's own transaction, so tiles, clusters, filters and jurisdiction come
from the one tile pipeline. Only public fields are projected (no title, text or contact)."""
from layers.models import GeometryKind, Layer, LayerSource, Sector
from layers.services import feature_delete_unchecked, feature_put_unchecked
from layers.signals import features_changed

from .models import Category, Channel, Incident, Severity
from .transitions import Status

LAYER_SLUG = "incidents"


def _enum(title: str, choices, public: bool = True) -> dict:
    return {"title": title, "type": "string", "enum": [c for c, _ in choices],
            "x-enum-labels": dict(choices), "x-public": public}


def incidents_layer_schema() -> dict:
    categories = [(c.code, c.name_vi) for c in Category.objects.order_by("code")]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": False,
        "required": ["category", "sector", "status", "severity", "channel"],
        "properties": {
            "category": _enum("Loại sự cố", categories),
            "sector": _enum("Lĩnh vực", Sector.choices),
            "status": _enum("Tình trạng", Status.choices),
            "severity": _enum("Mức độ", Severity.choices),
            "channel": _enum("Kênh tiếp nhận", Channel.choices),
            "overdue": {"title": "Quá hạn", "type": "boolean", "x-public": True},
        },
    }


def incidents_layer_sync() -> Layer:
    """Create or refresh the incidents layer (its category code list follows the categories)."""
    layer, _ = Layer.objects.update_or_create(slug=LAYER_SLUG, defaults={
        "title_vi": "Sự cố và phản ánh hiện trường", "title_en": "Incidents and field reports",
        "description_vi": "Mọi sự cố cần xử lý, từ mọi kênh tiếp nhận (chỉ thông tin công khai).",
        "sector": Sector.CITIZEN, "geometry_kind": GeometryKind.POINT,
        "source": LayerSource.FEATURES, "property_schema": incidents_layer_schema(),
        "default_style": {"color": "#c62828", "radius": 5}, "min_zoom": 5, "max_zoom": 22,
        "aggregate_below_zoom": 16, "category_property": "category",
        "status_property": "status", "owner_department": "Trung tâm Điều hành thông minh",
        "is_public": False, "is_temporal": True,
        "attribution": "IOC Thanh Hóa"})
    return layer


def incident_map_properties(incident: Incident, now) -> dict:
    """The public properties of the incident's map feature."""
    return {"category": incident.category.code, "sector": incident.category.sector,
            "status": incident.status, "severity": incident.severity,
            "channel": incident.channel,
            "overdue": incident.is_open and incident.due_at < now}


def incident_project(*, incident: Incident, now, announce: bool = True) -> None:
    """Write (or rewrite) the incident's feature; hidden incidents leave the map.

    `announce=False`: the caller drains the tile queue itself (the report intake, in the
    background after its commit: incidents.realtime.publish_drained)."""
    if incident.is_hidden:
        feature_delete_unchecked(layer=Layer.objects.get(slug=LAYER_SLUG),
                                 external_id=incident.public_id)
        return
    feature_put_unchecked(layer_slug=LAYER_SLUG, external_id=incident.public_id,
                          geometry=incident.location,
                          properties=incident_map_properties(incident, now),
                          observed_at=incident.created_at, announce=announce)


def incident_projection_written() -> None:
    """Tell the tiles that the incidents layer changed (its queue is drained on commit), for a
    writer that put the feature itself (incidents.intake)."""
    features_changed.send(sender=Layer, layer=None, layer_slug=LAYER_SLUG)
