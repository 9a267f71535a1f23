"""OpenAPI descriptions of our authentication schemes (drf-spectacular extensions)."""
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class VerifiedSessionScheme(SessionScheme):
    target_class = "accounts.authentication.VerifiedSessionAuthentication"


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "access.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema) -> dict:
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token <key>` — khóa API cấp trong trang quản trị"}
