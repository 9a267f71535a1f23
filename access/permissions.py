"""DRF permission gates shared by every API view."""
from rest_framework.permissions import BasePermission


class TokenScope(BasePermission):
    """A token-authenticated request needs the view's `token_scope` (403 otherwise). Session
    users and anonymous callers pass here; what they may see is decided by the selectors."""

    message = "Khóa API không có quyền cho thao tác này."

    def has_permission(self, request, view) -> bool:
        from .principal import principal_of

        scope = getattr(view, "token_scope", None)
        if scope is None:
            return True
        if callable(scope):
            scope = scope(request)
        return principal_of(request).has_scope(scope)
