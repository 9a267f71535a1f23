"""Admin of the KPI insights: read only — both tables are rebuilt by `kpi_insights`."""
from django.contrib import admin

from .models import Attention, Forecast


class ReadOnly(admin.ModelAdmin):
    """Shown, never edited: the refresh owns these rows (deleting one is harmless: the next
    refresh recomputes it)."""

    def has_add_permission(self, request) -> bool:
        return False  # derived data: the refresh writes it

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Attention)
class AttentionAdmin(ReadOnly):
    list_display = ("kpi", "unit", "generation", "kind", "severity", "since", "detected_at",
                    "last_seen_at")
    list_filter = ("kind", "severity", "generation", "kpi__sector")
    search_fields = ("kpi__code", "unit__code", "unit__name")
    list_select_related = ("kpi", "unit")


@admin.register(Forecast)
class ForecastAdmin(ReadOnly):
    list_display = ("kpi", "unit", "generation", "model", "mape", "metric",
                    "based_on_last_period", "computed_at")
    list_filter = ("model", "metric", "generation", "kpi__sector")
    search_fields = ("kpi__code", "unit__code", "unit__name")
    list_select_related = ("kpi", "unit")
