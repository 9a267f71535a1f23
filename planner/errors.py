"""Named failures of the planner's view."""
from ioc_gis.errors import ForbiddenError, InvalidInputError


class PolygonInvalid(InvalidInputError):
    """The polygon is not a valid, closed, finite GeoJSON Polygon in WGS84."""

    code = "invalid_polygon"


class PolygonTooLarge(InvalidInputError):
    """Too many vertices or too large an area."""

    code = "polygon_too_large"


class PolygonOutsideProvince(InvalidInputError):
    """The polygon reaches past the province's extent."""

    code = "polygon_outside_province"


class PlannerForbidden(ForbiddenError):
    """The caller may not use the planner's tools (no right to view the map)."""


class LayersInvalid(InvalidInputError):
    """No layer, or too many, named."""
