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


class NotAPullConnector(ConflictError):
    """A pull was asked of a connector that takes file uploads."""

    code = "not_a_pull_connector"


class PullInProgress(ConflictError):
    """A pull of this connector is already queued or running."""

    code = "pull_in_progress"


class SourceFetchError(ImportFileError):
    """The source could not be fetched as configured; nothing was written."""

    code = "source_fetch_failed"


class SourceUnreachable(SourceFetchError):
    """No connection to the source's host (name, refused, TLS, dropped mid-transfer)."""

    code = "source_unreachable"


class SourceTimeout(SourceFetchError):
    """The source did not answer within the connector's timeout."""

    code = "source_timeout"


class SourceHttpError(SourceFetchError):
    """The source answered with an HTTP error status (4xx, 5xx) or too many redirects."""

    code = "source_http_error"


class SourceContentError(SourceFetchError):
    """The source sent something other than the connector's format (HTML, wrong type,
    invalid JSON, no records at the records path, an OGC page without features)."""

    code = "source_content_invalid"
