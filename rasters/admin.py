"""Admin of raster layers and measures. Adding a raster uploads a GeoTIFF through the same
service as the API and the command (checks, COG, registration, then zonal statistics);
editing changes only what the file does not decide (titles, ramp, access, attribution).
Rights mirror the layer registry's (`layers.*_layer`), so administrators manage rasters."""
from django import forms
from django.contrib import admin, messages
from django.db import transaction

from access.principal import principal_for_user
from ioc_gis.errors import DomainError

from . import services
from .models import RasterLayer, ZonalMeasure
from .tasks import zonal_dispatch
from .zonal_runs import measure_compute

META_FIELDS = ["slug", "title_vi", "title_en", "description_vi", "sector", "value_kind",
               "value_description_vi", "value_unit", "ramp", "ramp_stops", "ramp_mode",
               "nodata", "is_public", "owner_department", "attribution"]
FILE_FACTS = ["file_name", "file_size", "source_name", "crs", "width", "height", "res_x",
              "res_y", "dtype", "max_zoom", "valid_cells", "band_min", "band_max", "band_mean",
              "band_std", "zonal_status", "zonal_message", "zonal_computed_at", "created_by",
              "created_at"]


class LayerRights:
    """Admin rights of the layer registry (roles grant `layers.*_layer`, not `rasters.*`)."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("layers.view_layer")

    def has_add_permission(self, request):
        return request.user.has_perm("layers.add_layer")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("layers.change_layer")

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("layers.delete_layer")

    def has_module_permission(self, request):
        return request.user.has_perm("layers.view_layer")


class RasterUploadForm(forms.ModelForm):
    """The add form: the metadata plus the GeoTIFF; validation *is* the upload."""

    upload = forms.FileField(label="Tệp GeoTIFF", help_text="Một kênh, có hệ tọa độ, "
                             "chồng lên tỉnh Thanh Hóa. Lưu thành COG.")

    class Meta:
        model = RasterLayer
        fields = META_FIELDS

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        upload = data["upload"]
        meta = services.RasterInput(**{name: data.get(name) for name in META_FIELDS
                                       if data.get(name) is not None})
        try:
            self.created = services.raster_create(
                principal=principal_for_user(self.request_user), meta=meta, file=upload,
                file_name=upload.name, size=upload.size, user=self.request_user)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
        return data

    def validate_unique(self):
        """The service checks the slug (against vector layers too)."""


@admin.register(RasterLayer)
class RasterLayerAdmin(LayerRights, admin.ModelAdmin):
    list_display = ["slug", "title_vi", "sector", "value_kind", "is_public", "zonal_status",
                    "created_at"]
    list_filter = ["sector", "value_kind", "is_public", "zonal_status"]
    search_fields = ["slug", "title_vi", "title_en"]
    actions = ["zonal_recompute"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = RasterUploadForm
            form = super().get_form(request, obj, **kwargs)
            form.request_user = request.user
            return form
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return [*META_FIELDS, "upload"] if obj is None else [*META_FIELDS, *FILE_FACTS]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["slug", "nodata", *FILE_FACTS]

    def save_form(self, request, form, change):
        return form.save(commit=False) if change else form.created

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    def delete_model(self, request, obj):
        services.raster_delete(raster=obj)

    def delete_queryset(self, request, queryset):
        for raster in queryset:
            services.raster_delete(raster=raster)

    @admin.action(description="Tính lại thống kê theo đơn vị")
    def zonal_recompute(self, request, queryset):
        for raster in queryset:
            transaction.on_commit(lambda pk=raster.pk: zonal_dispatch(pk))
        messages.info(request, f"Đã xếp lịch tính lại {queryset.count()} lớp raster.")


@admin.register(ZonalMeasure)
class ZonalMeasureAdmin(LayerRights, admin.ModelAdmin):
    list_display = ["slug", "title_vi", "value_raster", "mask_raster", "mask_threshold",
                    "aggregation", "position"]
    autocomplete_fields = ["value_raster", "mask_raster"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(lambda: measure_compute(measure=obj))
