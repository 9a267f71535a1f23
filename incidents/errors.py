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


class IncidentOpenForbidden(ForbiddenError):
    """Opening an incident through a staff channel needs the right, in one's own sectors."""

    code = "open_forbidden"


class OutsideJurisdiction(InvalidInputError):
    """The incident would be routed outside the caller's units (a write leaving one's ground:
    400, as for features)."""

    code = "outside_jurisdiction"


class InvalidOrigin(InvalidInputError):
    """A promoted event must name its source; public channels may not name one."""

    code = "invalid_origin"


class AlreadyPromoted(ConflictError):
    """That event (origin system + reference) is an incident already."""

    code = "already_promoted"


class CommentForbidden(ForbiddenError):
    """Replies and internal notes are for staff who verify or handle incidents."""

    code = "comment_forbidden"


class InvalidComment(InvalidInputError):
    code = "invalid_comment"


class RepliesClosed(ConflictError):
    """Closed, rejected and duplicate incidents take internal notes only."""

    code = "replies_closed"


class InvalidChannel(InvalidInputError):
    """Staff open incidents through the staff channels only."""

    code = "invalid_channel"


class UnknownHandlingUnit(InvalidInputError):
    """An incident handed to a unit that is not in force today."""

    code = "unknown_unit"
