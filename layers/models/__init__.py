"""Models of the layers app: versioned administrative units, the layer registry, features."""
from .features import Feature
from .layer import GeometryKind, Layer, LayerSource, Sector
from .units import AdminLevel, AdminUnit, ChangeType, DivisionType, UnitCrosswalk

__all__ = [
    "AdminLevel", "AdminUnit", "ChangeType", "DivisionType", "Feature", "GeometryKind",
    "Layer", "LayerSource", "Sector", "UnitCrosswalk",
]
