"""One error format for every API answer that is not a success:

    {"error": {"status": 404, "code": "not_found", "message": "…", "details": …}}

Domain error categories map to HTTP statuses here and nowhere else."""
from http import HTTPStatus

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response

from ioc_gis.errors import (ConflictError, DomainError, ForbiddenError, InvalidInputError,
                            NotFoundError)

STATUS_BY_ERROR: dict[type[DomainError], int] = {
    NotFoundError: 404,
    ForbiddenError: 403,
    InvalidInputError: 400,
    ConflictError: 409,
}


def error_body(status: int, code: str, message: str, details: object | None = None) -> dict:
    """The API's error document."""
    body = {"status": status, "code": code, "message": message}
    if details is not None:
        body["details"] = details
    return {"error": body}


def status_for(error: DomainError) -> int:
    """HTTP status of a domain error, by its category."""
    for category, status in STATUS_BY_ERROR.items():
        if isinstance(error, category):
            return status
    return 400


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF exception handler producing the single error format."""
    if isinstance(exc, DomainError):
        status = status_for(exc)
        return Response(error_body(status, exc.code, exc.message, exc.details), status=status)
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()
    if not isinstance(exc, drf.APIException):
        return None  # a real bug: let Django log it and answer 500
    status = exc.status_code
    if isinstance(exc, drf.ValidationError):
        body = error_body(status, "invalid", "Dữ liệu không hợp lệ.", exc.detail)
    else:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
        body = error_body(status, code, detail)
    headers = {}
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    return Response(body, status=status, headers=headers)


def json_error_response(status: int, code: str, message: str) -> JsonResponse:
    """The error format outside DRF (Django's 404/500 handlers on /api/ paths)."""
    return JsonResponse(error_body(status, code, message), status=status)


def phrase(status: int) -> str:
    """Standard reason phrase, used when no better message exists."""
    return HTTPStatus(status).phrase
