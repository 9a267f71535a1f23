"""Audit context middleware."""


class AuditContextMiddleware:
    """Placeholder: attaches who/where context to every database write of a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
