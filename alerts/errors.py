"""Named failures of the alerts app (categories from ioc_gis/errors.py decide the status)."""
from ioc_gis.errors import ForbiddenError, InvalidInputError, NotFoundError


class AlertNotFound(NotFoundError):
    """No such alert, or not visible to the caller."""


class AlertsNotAllowed(ForbiddenError):
    """The caller may not read alerts."""


class AlertQueryInvalid(InvalidInputError):
    """A filter of the alert list is malformed."""

    code = "invalid_filter"
