"""Named failures of the OGC API and its exception document.

Errors follow the spec's exception schema (`{"code", "description"}`, OGC API – Features 1.0
`exception.yaml`, which allows further members) and also carry our usual `error` member, the
same as every other API (ioc_gis/api/errors.py), so one client-side error path reads both."""
from django.http import JsonResponse
from rest_framework.response import Response

from ioc_gis.errors import InvalidInputError, NotFoundError

# The OWS-style codes most OGC API servers use, by HTTP status.
OGC_CODES = {400: "InvalidParameterValue", 401: "NotAuthenticated", 403: "Forbidden",
             404: "NotFound", 405: "MethodNotAllowed", 406: "NotAcceptable",
             413: "PayloadTooLarge", 429: "TooManyRequests"}
PASSED_HEADERS = ("WWW-Authenticate", "Retry-After")


class InvalidParameter(InvalidInputError):
    """A query parameter with a value the API cannot use (bad bbox, datetime, limit, …)."""

    code = "invalid_parameter"


class UnknownParameter(InvalidInputError):
    """A query parameter the resource does not define (the spec requires a 400)."""

    code = "unknown_parameter"


class PathNotFound(NotFoundError):
    """No OGC API resource at this path."""


def exception_response(response: Response) -> JsonResponse:
    """Our error answer (`{"error": {...}}`, from the shared handler) as the OGC exception
    document, always `application/json`, keeping the authentication and retry headers."""
    error = response.data["error"]
    body = {"code": OGC_CODES.get(response.status_code, "NoApplicableCode"),
            "description": error["message"], **response.data}
    answer = JsonResponse(body, status=response.status_code,
                          json_dumps_params={"ensure_ascii": False})
    for name in PASSED_HEADERS:
        if name in response:
            answer[name] = response[name]
    return answer
