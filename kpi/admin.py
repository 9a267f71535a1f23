"""Admin of the KPI registry, targets, values and provenance runs. The admin is not a back
door: a value entered here is checked like an imported one (period aligned with the KPI's
periodicity, a unit of a reference generation at a level the KPI's grain allows, on the
staff member's ground) and recorded with provenance MANUAL."""
from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.principal import principal_of

from . import periods
from .computations import REGISTRY
from .imports import LEVELS_BY_GRAIN
from .models import (Aggregation, Kpi, KpiFeed, KpiRun, KpiTarget, KpiValue, ProvenanceKind,
                     RunOutcome, Source)
from .selectors import ground_of
from .units import reform


class KpiAdminForm(forms.ModelForm):
    """A computed KPI names an aggregation of the registry; a ratio's parts share its
    periodicity; a general target (no unit) only suits rates and means."""

    class Meta:
        model = Kpi
        fields = "__all__"

    def clean(self) -> dict:
        data = super().clean()
        if data.get("source") == Source.COMPUTED and data.get("computation") not in REGISTRY:
            self.add_error("computation", _("Phép tính không có trong danh mục: %(names)s.")
                           % {"names": ", ".join(sorted(REGISTRY))})
        for part in ("numerator", "denominator"):
            kpi = data.get(part)
            if kpi is not None and kpi.periodicity != data.get("periodicity"):
                self.add_error(part, _("Tử số, mẫu số phải cùng chu kỳ với chỉ số."))
        return data


class KpiTargetFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if self.instance.aggregation != Aggregation.SUM:
            return
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data and not data.get("DELETE") and data.get("unit") is None:
                raise forms.ValidationError(_("Chỉ tiêu của số lượng, tổng phải gắn với một "
                                              "đơn vị (không có chỉ tiêu chung mọi đơn vị)."))


class KpiTargetInline(admin.TabularInline):
    model = KpiTarget
    formset = KpiTargetFormSet
    extra = 0
    raw_id_fields = ("unit",)


@admin.register(Kpi)
class KpiAdmin(admin.ModelAdmin):
    form = KpiAdminForm
    list_display = ("code", "name_vi", "sector", "periodicity", "grain", "aggregation",
                    "source", "is_public", "is_active")
    list_filter = ("sector", "source", "periodicity", "grain", "is_public", "is_active")
    search_fields = ("code", "name_vi", "name_en")
    raw_id_fields = ("numerator", "denominator")
    inlines = [KpiTargetInline]


class KpiValueAdminForm(forms.ModelForm):
    class Meta:
        model = KpiValue
        fields = ["kpi", "unit", "period_start", "value", "note"]

    principal = None  # set by KpiValueAdmin.get_form

    def clean(self) -> dict:
        data = super().clean()
        kpi, unit, start = data.get("kpi"), data.get("unit"), data.get("period_start")
        if kpi is None or unit is None or start is None:
            return data
        if not periods.is_aligned(start, kpi.periodicity):
            self.add_error("period_start", _("Phải là ngày đầu của một kỳ (%(p)s).")
                           % {"p": kpi.get_periodicity_display()})
        units = reform()
        if unit.pk not in units.units:
            self.add_error("unit", _("Chỉ ghi cho đơn vị đang hiệu lực hoặc hiệu lực ngày "
                                     "30/6/2025."))
        elif unit.level not in LEVELS_BY_GRAIN[kpi.grain]:
            self.add_error("unit", _("Cấp đơn vị không hợp với cấp chi tiết của chỉ số."))
        elif self.principal is not None:
            ground = ground_of(self.principal, units)
            if ground is not None and unit.pk not in ground:
                self.add_error("unit", _("Đơn vị nằm ngoài phạm vi quản lý của bạn."))
        if kpi.source == Source.COMPUTED:
            self.add_error("kpi", _("Chỉ số tính toán được cập nhật bằng kpi_refresh."))
        self.instance.periodicity = kpi.periodicity
        return data


@admin.register(KpiValue)
class KpiValueAdmin(admin.ModelAdmin):
    form = KpiValueAdminForm
    list_display = ("kpi", "unit", "period_start", "value", "source", "run", "recorded_at")
    list_filter = ("source", "periodicity", "kpi__sector", "kpi")
    search_fields = ("kpi__code", "unit__code", "unit__name")
    raw_id_fields = ("unit",)
    readonly_fields = ("source", "run", "recorded_at")
    date_hierarchy = "period_start"
    list_select_related = ("kpi", "unit", "run")

    def get_queryset(self, request):
        values = super().get_queryset(request)
        ground = ground_of(principal_of(request), reform())
        return values if ground is None else values.filter(unit_id__in=ground)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.principal = principal_of(request)
        return form

    def save_model(self, request, obj, form, change) -> None:
        obj.source, obj.run, obj.recorded_at = ProvenanceKind.MANUAL, None, timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(KpiRun)
class KpiRunAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "outcome", "computation", "file_name", "feed", "kpi", "user",
                    "started_at", "finished_at", "rows_read", "rows_inserted", "rows_updated",
                    "rows_unchanged", "rows_deleted")
    list_filter = ("kind", "outcome", "computation", "feed")
    search_fields = ("file_name", "computation", "kpi__code")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(KpiFeed)
class KpiFeedAdmin(admin.ModelAdmin):
    """Feeds of KPI values by URL (kpi/feeds.py), with “Lấy ngay”. Changing the URL drops the
    stored ETag / Last-Modified, so the next pull fetches the new source in full."""

    list_display = ("name", "owner_department", "url", "pull_interval", "is_active",
                    "last_pulled_at")
    list_filter = ("is_active", "owner_department")
    search_fields = ("name", "url", "owner_department")
    readonly_fields = ("last_pulled_at", "source_etag", "source_last_modified")
    actions = ["pull_now"]

    def save_model(self, request, obj, form, change) -> None:
        if change and "url" in form.changed_data:
            obj.source_etag = obj.source_last_modified = ""
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Lấy ngay"), permissions=["change"])
    def pull_now(self, request, queryset) -> None:
        """Pull the selected feeds now and say how each ended."""
        from .feeds import feed_pull

        for feed in queryset:
            run = feed_pull(feed)
            level = messages.ERROR if run.outcome == RunOutcome.FAILED else messages.SUCCESS
            self.message_user(request, f"{feed.name}: {run.get_outcome_display()} — "
                                       f"{run.message}", level)
