from django.apps import AppConfig


class AccessConfig(AppConfig):
    """Roles, jurisdictions, API tokens: who may see and do what, on every path."""

    name = "access"
    verbose_name = "Phân quyền và phạm vi"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (seeds roles after migrate)
