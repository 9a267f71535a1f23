"""Named failures of the rasters app (categories from ioc_gis/errors.py decide the status)."""
from ioc_gis.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError


class RasterNotFound(NotFoundError):
    """No raster layer with that slug, or not one the caller may see (404: no probing)."""

    code = "raster_not_found"


class RasterWriteForbidden(ForbiddenError):
    """The caller may not create raster layers (in that sector, or with that token)."""

    code = "raster_write_forbidden"


class RasterSlugTaken(ConflictError):
    """The slug names a raster or a vector layer already."""

    code = "raster_slug_taken"


class RasterFileError(InvalidInputError):
    """The uploaded file cannot become a raster layer; nothing was written."""

    code = "raster_file_invalid"


class RasterTooLarge(RasterFileError):
    """Over the byte or cell cap."""

    code = "upload_too_large"


class RasterWrongFormat(RasterFileError):
    """Not a GeoTIFF (sniffed from the bytes), or GDAL's GTiff driver cannot read it."""

    code = "wrong_format"


class RasterForbiddenSource(RasterFileError):
    """A reference to other files or to the network (VRT, /vsi… names)."""

    code = "forbidden_source"


class RasterNoCrs(RasterFileError):
    """The GeoTIFF has no coordinate reference system or no georeferencing."""

    code = "raster_no_crs"


class RasterOutsideProvince(RasterFileError):
    """The raster does not overlap Thanh Hóa."""

    code = "raster_outside_province"


class RasterUnsupported(RasterFileError):
    """More than one band, complex values, or a rotated grid."""

    code = "raster_unsupported"


class InvalidRasterQuery(InvalidInputError):
    """A malformed parameter of a raster endpoint."""

    code = "invalid"


class RasterFileMissing(NotFoundError):
    """The registry row's COG is not on this server (a moved or wiped raster directory)."""

    code = "raster_file_missing"
