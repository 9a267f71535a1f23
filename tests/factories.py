"""Factories for domain objects used across tests."""
from itertools import count

from layers.models import GeometryKind, Layer, Sector

_numbers = count(1)

WELL_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1, "x-public": True},
        "depth_m": {"type": "number", "minimum": 0, "x-public": True},
        "owner_phone": {"type": "string", "x-public": False},
    },
    "required": ["name"],
    "additionalProperties": False,
}


def make_layer(**overrides) -> Layer:
    """A point layer of water wells with a small schema (one private property)."""
    n = next(_numbers)
    fields = {
        "slug": f"test-wells-{n}", "title_vi": "Giếng nước", "title_en": "Water wells",
        "sector": Sector.SOCIO_ECONOMIC, "geometry_kind": GeometryKind.POINT,
        "property_schema": WELL_SCHEMA, "owner_department": "Sở Nông nghiệp và Môi trường",
    }
    fields.update(overrides)
    return Layer.objects.create(**fields)
