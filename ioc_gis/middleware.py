"""Project middleware."""


class RequestLimitsMiddleware:
    """Placeholder: turns oversized/malformed bodies into 4xx in the API error format."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
