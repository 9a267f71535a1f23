"""Named failures of the integration app (categories from ioc_gis/errors.py decide the status)."""
from ioc_gis.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError


class ConnectorNotFound(NotFoundError):
    """No such connector, or not visible to the caller."""


class RunNotFound(NotFoundError):
    """No such import run, or not visible to the caller."""


class ImportForbidden(ForbiddenError):
    """The caller sees the connector but may not write to its layer."""


class RunNotQueued(ConflictError):
    """The run was already started (a duplicate task delivery)."""

    code = "run_not_queued"


class ConnectorMisconfigured(InvalidInputError):
    """The connector's settings cannot be applied (CRS, mapping, columns)."""

    code = "connector_misconfigured"


class ImportFileError(InvalidInputError):
    """The uploaded file cannot be imported; nothing was written."""

    code = "import_file_invalid"


class UploadTooLarge(ImportFileError):
    """The upload is over the size cap."""

    code = "upload_too_large"


class WrongFormat(ImportFileError):
    """Not one of the accepted formats."""

    code = "wrong_format"


class UnsafeArchive(ImportFileError):
    """A zip that could harm the server: a bomb, too many members, escaping or link members."""

    code = "unsafe_archive"


class ForbiddenSource(ImportFileError):
    """A reference to another file or to the network (VRT, /vsi… paths)."""

    code = "forbidden_source"


class IncompleteShapefile(ImportFileError):
    """A Shapefile without its .shx or .dbf."""

    code = "shapefile_incomplete"


class UnknownEncoding(ImportFileError):
    """The text encoding is not declared in a known form, or the text does not decode."""

    code = "unknown_encoding"


class GeometryTypeMismatch(ImportFileError):
    """The file's geometry type does not fit the target layer."""

    code = "geometry_type_mismatch"


class MissingColumns(ImportFileError):
    """Columns the connector maps are not in the file."""

    code = "missing_columns"


class NoValidRows(ImportFileError):
    """Every row was rejected (e.g. all outside Thanh Hóa: a wrong source CRS)."""

    code = "no_valid_rows"


class ConnectorInactive(ConflictError):
    """The connector is switched off."""

    code = "connector_inactive"
