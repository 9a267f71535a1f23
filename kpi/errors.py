"""Named failures of the KPI app (categories from ioc_gis/errors.py decide the HTTP status)."""
from ioc_gis.errors import ForbiddenError, InvalidInputError, NotFoundError


class KpiNotFound(NotFoundError):
    """No KPI with that code, or not visible to the caller."""

    code = "kpi_not_found"


class KpiUnitNotFound(NotFoundError):
    """No unit with that code in the generation, or outside the caller's jurisdiction."""

    code = "unit_not_found"


class InvalidPeriod(InvalidInputError):
    """A period label or range that cannot be read or is too long."""

    code = "invalid_period"


class ImportRejected(InvalidInputError):
    """At least one row of an import is invalid: nothing was written (`details` lists them)."""

    code = "kpi_import_rejected"


class ImportFileInvalid(InvalidInputError):
    """The file itself cannot be read as a KPI table (format, columns, size)."""

    code = "kpi_import_file_invalid"


class ImportForbidden(ForbiddenError):
    """The caller may not write KPI values."""

    code = "kpi_import_forbidden"


class UnknownComputation(InvalidInputError):
    """A computed KPI names an aggregation that is not in the registry."""

    code = "unknown_computation"


class FeedMisconfigured(InvalidInputError):
    """A feed names a secret variable that is not set on the server."""

    code = "kpi_feed_misconfigured"
