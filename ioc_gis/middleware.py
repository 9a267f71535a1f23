"""Project middleware."""
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse

from ioc_gis.api.errors import json_error_response

API_PREFIX = "/api/"

# Django's own limit errors, as the API reports them: (status, code, message).
LIMIT_ERRORS: dict[type[Exception], tuple[int, str, str]] = {
    RequestDataTooBig: (413, "request_too_large",
                        "Nội dung yêu cầu quá lớn. / Request body too large."),
    TooManyFieldsSent: (400, "too_many_fields",
                        "Quá nhiều trường dữ liệu. / Too many fields in the request."),
    TooManyFilesSent: (400, "too_many_files",
                       "Quá nhiều tệp tải lên. / Too many files in the request."),
}


def is_api(request: HttpRequest) -> bool:
    """Whether the request speaks the API's JSON error format."""
    return request.path_info.startswith(API_PREFIX)


def declared_body_too_big(request: HttpRequest) -> bool:
    """A non-multipart body whose Content-Length is over DATA_UPLOAD_MAX_MEMORY_SIZE.

    Multipart bodies are left to Django, whose limit excludes uploaded files."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None or request.content_type == "multipart/form-data":
        return False
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False  # Django itself treats a malformed length as 0
    return length > limit


class RequestLimitsMiddleware:
    """Oversized or over-long API requests become 4xx in the API error format, never 500/HTML.

    Django raises its limit errors lazily, when the body or query string is first read: by then
    the request is inside a DRF view, whose exception handler ignores non-DRF errors, so Django
    would answer with its HTML 400 page. `process_exception` catches them on the way out; the
    Content-Length check answers 413 before anyone reads the body at all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api(request) and declared_body_too_big(request):
            return self._limit_response(request, RequestDataTooBig())
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Map Django's request-limit errors raised by API views; leave everything else alone."""
        if not is_api(request) or type(exception) not in LIMIT_ERRORS:
            return None
        return self._limit_response(request, exception)

    @staticmethod
    def _limit_response(request: HttpRequest, exception: Exception) -> HttpResponse:
        # Django logs these to django.security.<name> when it handles them; keep that trail.
        name = type(exception).__name__
        logging.getLogger(f"django.security.{name}").warning(
            "%s on %s %s", name, request.method, request.path_info)
        status, code, message = LIMIT_ERRORS[type(exception)]
        return json_error_response(status, code, message)
