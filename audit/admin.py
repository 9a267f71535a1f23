"""Nhật ký kiểm toán: one read-only admin list over every event table. Nobody, superusers
included, can add, change or delete an entry here (the database refuses it anyway)."""
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q

from . import display
from .models import AuditLog
from .selectors import event_snapshot


class ObjectModelFilter(admin.SimpleListFilter):
    """By audited model."""

    title = "loại đối tượng"
    parameter_name = "model"

    def lookups(self, request, model_admin):
        return display.model_choices()

    def queryset(self, request, queryset):
        return queryset.filter(object_model=self.value()) if self.value() else queryset


class ActionFilter(admin.SimpleListFilter):
    """By action: insert, update, delete, truncate."""

    title = "hành động"
    parameter_name = "label"

    def lookups(self, request, model_admin):
        return list(display.ACTIONS.items())

    def queryset(self, request, queryset):
        return queryset.filter(label=self.value()) if self.value() else queryset


NO_USER = "none"


class UserFilter(admin.SimpleListFilter):
    """Staff accounts (the ones that write through the admin and the API), plus 'no user':
    commands, jobs and anonymous requests."""

    title = "người thực hiện"
    parameter_name = "user"

    def lookups(self, request, model_admin):
        staff = get_user_model().objects.filter(is_staff=True).order_by("username")
        return [(NO_USER, "(không có người dùng)")] + [
            (str(u.pk), u.get_username()) for u in staff[:200]]

    def queryset(self, request, queryset):
        value = self.value()
        if value == NO_USER:
            return queryset.filter(Q(context__isnull=True) | Q(context__user=None)
                                   | ~Q(context__has_key="user"))
        if value and value.isdigit():
            return queryset.filter(context__user=int(value))
        return queryset


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Read-only list and detail of audit events: who, when, from where, what changed."""

    list_display = ["id", "created_at", "who", "ip_address", "object_kind", "object_id",
                    "object_name", "action", "changes"]
    list_display_links = ["id"]
    list_filter = [ObjectModelFilter, ActionFilter, UserFilter, ("created_at",
                                                                 admin.DateFieldListFilter)]
    search_fields = ["object_id"]  # shows the box; get_search_results does the work
    search_help_text = "Mã đối tượng hoặc mã sự kiện (số), tên đăng nhập, địa chỉ IP, lệnh"
    list_per_page = 50
    show_full_result_count = False  # counting the whole trail on every page costs a scan
    actions = None
    fields = readonly_fields = [
        "id", "created_at", "action", "object_kind", "object_id", "object_name", "who",
        "ip_address", "request_line", "token", "command", "db_user", "context_id", "changes",
        "snapshot"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if term.isdigit():
            return queryset.filter(Q(object_id=int(term)) | Q(id=int(term))), False
        return queryset.filter(Q(context__username=term) | Q(context__ip=term)
                               | Q(context__command=term)), False

    @admin.display(description="người thực hiện")
    def who(self, entry):
        context = entry.context or {}
        return context.get("username") or context.get("command") or "—"

    @admin.display(description="IP")
    def ip_address(self, entry):
        return (entry.context or {}).get("ip") or "—"

    @admin.display(description="loại đối tượng")
    def object_kind(self, entry):
        return display.model_name(entry.object_model)

    @admin.display(description="đối tượng")
    def object_name(self, entry):
        return ", ".join(f"{k}={display.short_value(v)}" for k, v in (entry.summary or {}).items())

    @admin.display(description="hành động")
    def action(self, entry):
        return display.action_name(entry.label)

    @admin.display(description="thay đổi (trước → sau)")
    def changes(self, entry):
        return display.diff_html(entry.diff, entry.object_model)

    @admin.display(description="yêu cầu")
    def request_line(self, entry):
        context = entry.context or {}
        return " ".join(filter(None, [context.get("method"), context.get("path")])) or "—"

    @admin.display(description="khóa API")
    def token(self, entry):
        return (entry.context or {}).get("token") or "—"

    @admin.display(description="lệnh")
    def command(self, entry):
        return (entry.context or {}).get("command") or "—"

    @admin.display(description="bản ghi (sau khi thêm/sửa, trước khi xóa)")
    def snapshot(self, entry):
        return display.values_html(event_snapshot(entry), entry.object_model)
