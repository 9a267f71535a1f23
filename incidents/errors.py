"""Named errors of the incident workflow (HTTP statuses in ioc_gis/api/errors.py)."""
from ioc_gis.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError


class IncidentNotFound(NotFoundError):
    code = "incident_not_found"


class OutsideProvince(InvalidInputError):
    """The point lies in no commune of Thanh Hóa."""

    code = "outside_province"


class UnknownCategory(InvalidInputError):
    code = "unknown_category"


class TransitionNotAllowed(ConflictError):
    """The status machine has no such move from the incident's current status (409)."""

    code = "transition_not_allowed"


class TransitionForbidden(ForbiddenError):
    code = "transition_forbidden"


class CannotRate(ConflictError):
    code = "cannot_rate"


class InvalidPhoto(InvalidInputError):
    code = "invalid_photo"
