"""Named failures of the dashboard (categories from ioc_gis/errors.py decide the HTTP status)."""
from ioc_gis.errors import ForbiddenError, InvalidInputError


class RecordsNotAvailable(InvalidInputError):
    """The KPI is not computed from records this system holds (imported series have none)."""

    code = "records_not_available"


class RecordsForbidden(ForbiddenError):
    """The caller may read the KPI but not the records behind it (incidents)."""

    code = "records_forbidden"


class BriefingForbidden(ForbiddenError):
    """The caller may not export data (`access.export_data`): no briefing file."""

    code = "briefing_forbidden"


class BriefingFormatUnavailable(InvalidInputError):
    """A PDF was asked for but the PDF renderer is not installed on this server."""

    code = "briefing_format_unavailable"
