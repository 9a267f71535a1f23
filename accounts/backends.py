"""Authentication backend: django-axes' lockout check, tolerant of calls without a request."""
from axes.backends import AxesStandaloneBackend


class AxesLockoutBackend(AxesStandaloneBackend):
    """Refuses logins for locked-out username+address pairs (first in AUTHENTICATION_BACKENDS).

    AxesStandaloneBackend raises when `authenticate()` is called without a request (the test
    client's `login()`, shell scripts). Such calls come from code, not from a client over HTTP,
    and axes cannot count them anyway (its failure handler ignores request-less failures), so
    this backend lets them through to the next backend instead of crashing. Every HTTP login
    path (the admin's AuthenticationForm, DRF) passes its request and is checked.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        """Raise AxesBackendPermissionDenied for a locked-out pair; never authenticates."""
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
