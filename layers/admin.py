"""Admin in Vietnamese with django-leaflet map widgets (background: our own boundaries)."""
import json

from django import forms
from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from access.principal import principal_of

from .models import AdminUnit, Feature, Layer, UnitCrosswalk
from .selectors import feature_on_ground, feature_queryset_visible
from .validation import FeatureInput, check_property_schema, feature_errors, schema_checker


class LayerAdminForm(forms.ModelForm):
    """Rejects a property schema that is not a usable JSON Schema with x-public flags."""

    class Meta:
        model = Layer
        fields = "__all__"

    def clean_property_schema(self) -> dict:
        schema = self.cleaned_data["property_schema"]
        errors = check_property_schema(schema)
        if errors:
            raise forms.ValidationError(errors)
        return schema


class FeatureAdminForm(forms.ModelForm):
    """Applies the same validation as the import service: the admin is not a back door."""

    class Meta:
        model = Feature
        fields = "__all__"

    principal = None  # set by FeatureAdmin.get_form for the signed-in user

    def clean(self) -> dict:
        data = super().clean()
        layer, geom = data.get("layer"), data.get("geom")
        if layer is not None and geom is not None and self.principal is not None:
            if not self.principal.can_write_layer(layer):
                raise forms.ValidationError("Không có quyền ghi vào lớp này.")
            if not feature_on_ground(principal=self.principal, geometry=geom):
                raise forms.ValidationError("Vị trí nằm ngoài phạm vi quản lý của bạn.")
        if layer is not None and geom is not None:
            item = FeatureInput(external_id=data.get("external_id") or "",
                                geometry=json.loads(geom.geojson),
                                properties=data.get("properties"),
                                observed_at=data.get("observed_at"))
            _, errors = feature_errors(item, layer=layer, checker=schema_checker(layer))
            if errors:
                raise forms.ValidationError(errors)
        return data


@admin.register(AdminUnit)
class AdminUnitAdmin(LeafletGeoAdmin):
    list_display = ("code", "name", "level", "division_type", "valid_from", "valid_to",
                    "is_approximate")
    list_filter = ("level", "division_type", "is_approximate", "valid_to")
    search_fields = ("code", "name", "search_name")
    raw_id_fields = ("parent",)
    readonly_fields = ("search_name",)
    ordering = ("level", "code", "valid_from")


@admin.register(UnitCrosswalk)
class UnitCrosswalkAdmin(admin.ModelAdmin):
    list_display = ("old_unit", "new_unit", "change_type", "effective", "area_share", "is_inferred")
    list_filter = ("change_type", "effective", "is_inferred")
    search_fields = ("old_unit__code", "old_unit__name", "new_unit__code", "new_unit__name")
    raw_id_fields = ("old_unit", "new_unit")
    list_select_related = ("old_unit", "new_unit")


@admin.register(Layer)
class LayerAdmin(admin.ModelAdmin):
    form = LayerAdminForm
    list_display = ("slug", "title_vi", "sector", "geometry_kind", "source", "is_public",
                    "owner_department")
    list_filter = ("sector", "geometry_kind", "is_public")
    search_fields = ("slug", "title_vi", "title_en")


@admin.register(Feature)
class FeatureAdmin(LeafletGeoAdmin):
    form = FeatureAdminForm
    list_display = ("external_id", "layer", "commune_code", "commune_code_pre2025", "observed_at")
    list_filter = ("layer",)
    search_fields = ("external_id",)
    readonly_fields = ("commune_code", "commune_code_pre2025", "district_code_pre2025")
    list_select_related = ("layer",)

    def get_queryset(self, request):
        """Staff see in the admin exactly what they may read through the API."""
        return feature_queryset_visible(principal=principal_of(request))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.principal = principal_of(request)
        return form
    show_full_result_count = False  # counting millions of rows on every page is wasteful
