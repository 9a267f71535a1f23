"""Session middleware of the accounts app."""


class SessionIdleTimeoutMiddleware:
    """Placeholder: ends a staff session after a period without requests."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
