"""Validation of feature input against a layer: geometry kind and sanity, properties against the
layer's JSON Schema. Pure functions; the service decides what to do with the errors."""
import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

import shapely
from jsonschema import Draft202012Validator
from shapely.geometry.base import BaseGeometry

from .checks import object_check
from .models import GeometryKind, Layer

GEOMETRY_TYPES_BY_KIND = {
    GeometryKind.POINT: {"Point", "MultiPoint"},
    GeometryKind.LINE: {"LineString", "MultiLineString"},
    GeometryKind.POLYGON: {"Polygon", "MultiPolygon"},
}


@dataclass(frozen=True)
class FeatureInput:
    """One feature to write. `geometry` is a shapely geometry or a GeoJSON geometry mapping."""

    external_id: str
    geometry: BaseGeometry | dict
    properties: dict[str, Any] = field(default_factory=dict)
    observed_at: datetime | None = None


@lru_cache(maxsize=64)
def _validator(schema_json: str) -> Draft202012Validator:
    import json

    return Draft202012Validator(json.loads(schema_json))


def schema_validator(layer: Layer) -> Draft202012Validator:
    """A (cached) validator for the layer's property schema."""
    import json

    return _validator(json.dumps(layer.property_schema, sort_keys=True))


@dataclass(frozen=True)
class PropertyChecker:
    """A layer's property schema: a compiled check for the common valid case (None when the
    schema needs the full validator), and jsonschema's validator for the rest and the words."""

    validator: Draft202012Validator
    fast: Callable[[dict], bool] | None


@lru_cache(maxsize=64)
def _checker(schema_json: str) -> PropertyChecker:
    import json

    return PropertyChecker(_validator(schema_json), object_check(json.loads(schema_json)))


def schema_checker(layer: Layer) -> PropertyChecker:
    """A (cached) checker for the layer's property schema."""
    import json

    return _checker(json.dumps(layer.property_schema, sort_keys=True))


def check_property_schema(schema: dict) -> list[str]:
    """Errors that make `schema` unusable as a layer's property schema (empty list when fine)."""
    errors = [e.message for e in Draft202012Validator(Draft202012Validator.META_SCHEMA)
              .iter_errors(schema)]
    if errors:
        return errors
    if schema.get("type") != "object":
        return ['the schema must describe an object ("type": "object")']
    return [f"property {name!r} lacks a boolean x-public flag"
            for name, spec in schema.get("properties", {}).items()
            if not isinstance(spec.get("x-public"), bool)]


def nfc(value: Any) -> Any:
    """Vietnamese text in one Unicode form (NFC), recursively, so search and equality work."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nfc(v) for v in value]
    return value


def to_shape(geometry: BaseGeometry | dict) -> BaseGeometry:
    """A shapely geometry from a shapely geometry or a GeoJSON mapping (raises ValueError)."""
    if isinstance(geometry, BaseGeometry):
        return geometry
    if not isinstance(geometry, dict) or "type" not in geometry:
        raise ValueError("geometry must be a GeoJSON geometry object")
    if "crs" in geometry:
        raise ValueError("the legacy GeoJSON 'crs' member is not accepted: send WGS84 lon/lat")
    _require_closed_rings(geometry)
    try:
        return shapely.geometry.shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError,
            shapely.errors.ShapelyError) as exc:  # e.g. GeometryTypeError: an unknown "type"
        raise ValueError(f"malformed GeoJSON geometry: {exc}") from exc


def _require_closed_rings(geometry: dict) -> None:
    """GeoJSON rings must repeat their first position; shapely would silently close them."""
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    for polygon in polygons or []:
        for ring in polygon if isinstance(polygon, list) else []:
            if isinstance(ring, list) and len(ring) >= 1 and ring[0] != ring[-1]:
                raise ValueError("malformed GeoJSON geometry: a polygon ring is not closed")


def geometry_errors(shape: BaseGeometry, kind: str) -> list[str]:
    """What is wrong with a geometry for a layer of `kind` (WGS84 lon/lat expected)."""
    if shape.geom_type not in GEOMETRY_TYPES_BY_KIND[GeometryKind(kind)]:
        return [f"geometry type {shape.geom_type} does not fit a {kind} layer"]
    if shape.is_empty:
        return ["geometry is empty"]
    if shape.has_z:  # the geometry columns are 2D; heights are not stored
        return ["coordinates must be longitude/latitude pairs, without height"]
    coords = shapely.get_coordinates(shape)
    if not all(math.isfinite(v) for v in coords.ravel()):
        return ["coordinates must be finite numbers"]
    if not ((-180 <= coords[:, 0]).all() and (coords[:, 0] <= 180).all()
            and (-90 <= coords[:, 1]).all() and (coords[:, 1] <= 90).all()):
        return ["coordinates must be WGS84 longitude/latitude (lon −180…180, lat −90…90)"]
    if not shape.is_valid:
        return [f"invalid geometry: {shapely.is_valid_reason(shape)}"]
    return []


def property_errors(properties: Any, checker: PropertyChecker) -> list[str]:
    """Schema violations of a feature's properties, each prefixed with its JSON path."""
    if not isinstance(properties, dict):
        return ["properties must be a JSON object"]
    if _holds_nul(properties):
        return ["properties must not contain NUL characters (\\u0000)"]
    if checker.fast(properties) if checker.fast else checker.validator.is_valid(properties):
        return []
    return [f"{e.json_path}: {e.message}" for e in checker.validator.iter_errors(properties)]


def _holds_nul(value: Any) -> bool:
    """Whether a NUL character is in any key or string of a JSON value (PostgreSQL's jsonb
    cannot store one)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def feature_errors(item: FeatureInput, *, layer: Layer,
                   checker: PropertyChecker) -> tuple[BaseGeometry | None, list[str]]:
    """Validate one feature; returns its shapely geometry (when parseable) and its errors."""
    errors: list[str] = []
    if not isinstance(item.external_id, str) or not item.external_id.strip():
        errors.append("external_id is required")
    elif len(item.external_id) > 200:
        errors.append("external_id is longer than 200 characters")
    try:
        shape = to_shape(item.geometry)
        errors += geometry_errors(shape, layer.geometry_kind)
    except ValueError as exc:
        shape = None
        errors.append(str(exc))
    errors += property_errors(item.properties, checker)
    if layer.is_temporal and item.observed_at is None:
        errors.append("observed_at is required on a temporal layer")
    if item.observed_at is not None and item.observed_at.tzinfo is None:
        errors.append("observed_at must carry a time zone")
    return shape, errors
