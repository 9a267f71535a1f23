"""App config of the audit trail."""
from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Append-only audit trail of every write (who, when, from where, before/after)."""

    name = "audit"
    verbose_name = "Nhật ký kiểm toán"
