from django.apps import AppConfig


class AccessConfig(AppConfig):
    """Roles, jurisdictions, API tokens: who may see and do what, on every path."""

    name = "access"
    verbose_name = "Phân quyền và phạm vi"

    def ready(self) -> None:
        from . import schema, signals  # noqa: F401  (OpenAPI auth schemes; roles after migrate)
