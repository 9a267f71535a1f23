"""Scenes of the video wall in the admin (Vietnamese labels); pins are read-only history."""
from django.contrib import admin

from .models import Scene, ScenePin


@admin.register(Scene)
class SceneAdmin(admin.ModelAdmin):
    list_display = ("position", "name_vi", "slug", "dwell_seconds", "zoom", "layer_list",
                    "is_active")
    list_display_links = ("name_vi",)
    list_editable = ("position", "is_active")
    list_filter = ("is_active",)
    search_fields = ("slug", "name_vi", "name_en")
    fieldsets = (
        (None, {"fields": ("slug", "name_vi", "name_en", "position", "dwell_seconds",
                           "is_active")}),
        ("Vùng bản đồ", {"fields": ("center_lon", "center_lat", "zoom"),
                         "description": "Mức thu phóng cho màn hình 1920 × 1080; màn hình lớn "
                                        "hơn tự phóng to để thấy cùng vùng."}),
        ("Nội dung", {"fields": ("layers", "incident_statuses", "incident_categories",
                                 "panels"),
                      "description": "Các mã cách nhau bởi dấu phẩy."}),
    )

    @admin.display(description="lớp bản đồ")
    def layer_list(self, scene: Scene) -> str:
        return ", ".join(scene.layers)


@admin.register(ScenePin)
class ScenePinAdmin(admin.ModelAdmin):
    list_display = ("scene", "pinned_by", "pinned_at", "until", "released_at", "released_by")
    list_filter = ("scene",)
    list_select_related = ("scene", "pinned_by", "released_by")

    def has_add_permission(self, request) -> bool:
        return False  # pins are set from the API (wall/services.py), which keeps one in force

    def has_change_permission(self, request, obj=None) -> bool:
        return False
