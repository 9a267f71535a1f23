"""Named errors of the tile server, mapped to HTTP statuses in ioc_gis/api/errors.py."""
from ioc_gis.errors import InvalidInputError, NotFoundError


class TileOutOfRange(NotFoundError):
    """z/x/y negative, non-integer or outside the pyramid (404, never an SQL error)."""

    code = "tile_out_of_range"


class TileSourceNotFound(NotFoundError):
    """No such layer, or not one the caller may see (404 so names cannot be probed)."""

    code = "tile_source_not_found"


class InvalidTileFilter(InvalidInputError):
    """A filter the source does not offer, or a value outside its code list (400)."""

    code = "invalid_tile_filter"
