"""Named failures of the Open311 endpoint, and the one place where every failure raised on
these routes (ours, the incidents app's, DRF's, Django's request limits) becomes the spec's
error answer: an HTTP status and a list of `{code, description}`. The domain categories keep
their project-wide statuses (ioc_gis/api/errors.py); descriptions are Vietnamese, then English.
Anything not named here is a bug and is left to Django (logged, 500)."""
from dataclasses import dataclass, field

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404
from rest_framework import exceptions as drf

from ioc_gis.api.errors import status_for
from ioc_gis.errors import DomainError, ForbiddenError, InvalidInputError, NotFoundError
from ioc_gis.middleware import LIMIT_ERRORS


class UnknownJurisdiction(NotFoundError):
    """A jurisdiction_id other than ours (the spec: 404, named in the error)."""

    code = "unknown_jurisdiction"


class ServiceNotFound(NotFoundError):
    """No active category has that service_code."""

    code = "service_not_found"


class PathNotFound(NotFoundError):
    """No Open311 resource at that path."""

    code = "path_not_found"


class FormatRequired(InvalidInputError):
    """The spec puts the format in the path: /services.json or /services.xml."""

    code = "format_required"


class InvalidParameter(InvalidInputError):
    """A query or form parameter is malformed; `details` maps each parameter to its problems."""

    code = "invalid_parameter"


class LocationNotFound(InvalidInputError):
    """Neither lat/long nor an address we can place on the map."""

    code = "location_not_found"


class ApiKeyForbidden(ForbiddenError):
    """The api_key may not create service requests (no open311:write scope)."""

    code = "api_key_forbidden"


class OutsideKeyGround(InvalidInputError):
    """The point lies outside the units the api_key (or its account) is bound to; nothing
    is stored (400, as for any write leaving one's ground)."""

    code = "outside_jurisdiction"


# English for the Vietnamese messages of errors raised by other apps, by code.
ENGLISH: dict[str, str] = {
    "outside_province": "The location is outside Thanh Hóa province.",
    "incident_not_found": "No service request with that id.",
    "unknown_category": "Unknown service_code.",
    "not_authenticated": "api_key is missing or invalid.",
    "authentication_failed": "api_key is missing, invalid, revoked or expired.",
    "permission_denied": "This api_key may not create service requests.",
    "method_not_allowed": "Method not allowed on this resource.",
    "unsupported_media_type": "Send the request as application/x-www-form-urlencoded.",
    "parse_error": "Malformed request body.",
    "throttled": "Too many requests; retry later.",
}


@dataclass
class SpecError:
    """An error answer: its HTTP status, the spec's error list and extra headers."""

    status: int
    errors: list[dict] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


def _entry(status: int, message: str, code: str | None = None) -> dict:
    english = ENGLISH.get(code or "")
    description = f"{message} / {english}" if english and english not in message else message
    return {"code": status, "description": description}


def _field_entries(status: int, details: dict) -> list[dict]:
    entries = []
    for name, problems in details.items():
        for problem in problems if isinstance(problems, list) else [problems]:
            prefix = "" if name == "non_field_errors" else f"{name}: "
            entries.append(_entry(status, f"{prefix}{problem}"))
    return entries


def _domain(exc: DomainError) -> SpecError:
    status = status_for(exc)
    if isinstance(exc.details, dict) and isinstance(exc, InvalidParameter):
        return SpecError(status, _field_entries(status, exc.details))
    return SpecError(status, [_entry(status, exc.message, exc.code)])


def _drf(exc: drf.APIException) -> SpecError:
    status = exc.status_code
    if isinstance(exc, (drf.NotAuthenticated, drf.AuthenticationFailed, drf.PermissionDenied)):
        status = 403  # the spec: a missing or invalid api_key is a 403
    if isinstance(exc, drf.ValidationError):
        details = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return SpecError(400, _field_entries(400, details))
    code = exc.get_codes() if isinstance(exc.get_codes(), str) else None
    error = SpecError(status, [_entry(status, str(exc.detail), code)])
    if isinstance(exc, drf.Throttled) and exc.wait:
        error.headers["Retry-After"] = str(int(exc.wait))
    return error


def spec_error(exc: Exception) -> SpecError | None:
    """The spec's answer to a failure, or None for a bug (let it surface)."""
    if isinstance(exc, DomainError):
        return _domain(exc)
    if isinstance(exc, Http404):
        return SpecError(404, [_entry(404, "Không tìm thấy. / Not found.")])
    if isinstance(exc, drf.APIException):
        return _drf(exc)
    if type(exc) in (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
        status, _, message = LIMIT_ERRORS[type(exc)]
        return SpecError(status, [_entry(status, message)])
    return None
