"""Named failures of the hotspots app (categories from ioc_gis/errors.py decide the HTTP
status)."""
from ioc_gis.errors import ForbiddenError, InvalidInputError


class HotspotsForbidden(ForbiddenError):
    """The caller may not read incidents at all, so there is nothing to aggregate."""

    code = "hotspots_forbidden"


class UnknownParameter(InvalidInputError):
    """A query parameter the endpoint does not know, or one given twice: refused rather than
    ignored, so a misspelt filter never answers for the whole province."""

    code = "unknown_parameter"


class InvalidWindow(InvalidInputError):
    """A time window that ends before it starts or is longer than IOC_HOTSPOTS_MAX_DAYS."""

    code = "invalid_window"


class InvalidCell(InvalidInputError):
    """A cell size outside IOC_HOTSPOTS_CELL_MIN–IOC_HOTSPOTS_CELL_MAX, or an unknown shape."""

    code = "invalid_cell"
