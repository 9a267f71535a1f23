"""Open311's api_key: sent as a parameter of POST requests (form field, or the query string as
the spec's Swagger has it), checked exactly like the Authorization header (access app)."""
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from access.authentication import token_for_key


class ApiKeyAuthentication(BaseAuthentication):
    """POST needs an api_key (403 without a valid one); GETs are public and read no key, so
    everybody — anonymous, any role, any token — gets the same answer."""

    def authenticate(self, request):
        if request.method != "POST":
            return None
        key = request.data.get("api_key") or request.query_params.get("api_key")
        if not key:
            raise AuthenticationFailed("Thiếu api_key. / api_key is required.")
        token = token_for_key(key)
        return token.user, token
