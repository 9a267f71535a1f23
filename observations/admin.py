"""Admin in Vietnamese: the metric catalogue, sensor streams (the MQTT connectors) with their
liveness, and the rejected-message log. Observations themselves are read through the API."""
from django import forms
from django.contrib import admin

from .models import Metric, RejectedMessage, SensorStream, StreamStats, mapping_errors


@admin.register(Metric)
class MetricAdmin(admin.ModelAdmin):
    list_display = ("code", "name_vi", "name_en", "unit", "min_value", "max_value")
    search_fields = ("code", "name_vi", "name_en")


class SensorStreamAdminForm(forms.ModelForm):
    """The mapping must be usable, and every metric it maps must be allowed for the stream."""

    class Meta:
        model = SensorStream
        fields = "__all__"

    def clean(self) -> dict:
        data = super().clean()
        mapping, allowed = data.get("mapping"), data.get("metrics")
        errors = mapping_errors(mapping)
        if not errors and allowed is not None and "metrics" in mapping:
            codes = {m.code for m in allowed}
            errors = [f"'{code}' chưa có trong danh sách đại lượng được nhận."
                      for code in mapping["metrics"] if code not in codes]
        if errors:
            self.add_error("mapping", errors)
        return data


class StreamStatsInline(admin.StackedInline):
    model = StreamStats
    can_delete = False
    extra = 0
    max_num = 0
    readonly_fields = [f.name for f in StreamStats._meta.fields if f.name != "stream"]
    fields = readonly_fields


@admin.register(SensorStream)
class SensorStreamAdmin(admin.ModelAdmin):
    form = SensorStreamAdminForm
    list_display = ("name", "topic_filter", "station_layer", "owner_department", "is_active",
                    "last_message_at", "messages_accepted", "messages_rejected")
    list_filter = ("is_active", "station_layer")
    search_fields = ("name", "topic_filter", "owner_department")
    filter_horizontal = ("metrics",)
    inlines = [StreamStatsInline]
    list_select_related = ("station_layer", "stats")

    @admin.display(description="bản tin gần nhất")
    def last_message_at(self, stream: SensorStream):
        stats = getattr(stream, "stats", None)
        return stats.last_message_at if stats else None

    @admin.display(description="nhận")
    def messages_accepted(self, stream: SensorStream) -> int:
        stats = getattr(stream, "stats", None)
        return stats.messages_accepted if stats else 0

    @admin.display(description="bị loại")
    def messages_rejected(self, stream: SensorStream) -> int:
        stats = getattr(stream, "stats", None)
        return stats.messages_rejected if stats else 0


@admin.register(RejectedMessage)
class RejectedMessageAdmin(admin.ModelAdmin):
    list_display = ("received_at", "stream", "reason", "topic", "detail")
    list_filter = ("reason", "stream")
    readonly_fields = ("stream", "received_at", "topic", "reason", "detail", "payload")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
