"""Admin in Vietnamese: alerts (read mostly), the departments' contacts, the mail outbox."""
from django.contrib import admin

from .models import Alert, AlertDelivery, DepartmentContact


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "severity", "owner_department", "raised_at",
                    "last_seen_at", "resolved_at", "acknowledged_at")
    list_filter = ("kind", "severity", "sector", ("resolved_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "subject", "owner_department")
    readonly_fields = ("kind", "subject", "owner_department", "sector", "severity", "title",
                       "detail", "evidence", "link", "raised_at", "last_seen_at", "resolved_at",
                       "acknowledged_at", "acknowledged_by")

    def has_add_permission(self, request) -> bool:
        return False  # alerts come from the checks, not from people


@admin.register(DepartmentContact)
class DepartmentContactAdmin(admin.ModelAdmin):
    list_display = ("department", "mailbox")
    search_fields = ("department",)
    filter_horizontal = ("members",)


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(admin.ModelAdmin):
    list_display = ("alert", "email", "created_at", "sent_at", "attempts", "last_error")
    list_filter = (("sent_at", admin.EmptyFieldListFilter),)
    readonly_fields = ("alert", "email", "created_at", "sent_at", "attempts", "last_error")

    def has_add_permission(self, request) -> bool:
        return False
