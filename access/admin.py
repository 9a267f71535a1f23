"""Admin for jurisdictions (inline on users) and API tokens (key shown once)."""
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .models import ApiToken, Jurisdiction
from .services import api_token_issue, scopes_errors


class JurisdictionInline(admin.StackedInline):
    model = Jurisdiction
    can_delete = True
    filter_horizontal = ("units",)
    extra = 0


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class IocUserAdmin(UserAdmin):
    inlines = [JurisdictionInline]


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "user", "scopes", "units", "sectors", "expires_at", "revoked_at"]

    def clean_scopes(self) -> list[str]:
        scopes = self.cleaned_data["scopes"]
        errors = scopes_errors(scopes)
        if errors:
            raise forms.ValidationError(errors)
        return scopes


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = ("name", "prefix", "user", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username")
    readonly_fields = ("prefix", "last_used_at", "created_at")
    filter_horizontal = ("units",)
    raw_id_fields = ("user",)

    def save_model(self, request, obj: ApiToken, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        key = api_token_issue(token=obj)
        messages.warning(request, f"Khóa API (chỉ hiển thị một lần, hãy lưu lại ngay): {key}")
