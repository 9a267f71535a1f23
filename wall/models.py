"""Scenes of the video wall: saved views (layers, extent, incident filters, panels) that the
wall shows in turn, each for its dwell time; and the pin an operator sets to hold one scene.

The database keeps the invariants: a sane dwell time, a place on Earth and a MapLibre zoom,
only known panels and statuses, and at most one pin in force."""
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q

from incidents.transitions import Status

DWELL_MIN_SECONDS = 5
DWELL_MAX_SECONDS = 3600
PIN_MAX_MINUTES = 24 * 60


class Panel(models.TextChoices):
    KPI = "kpi", "Chỉ số"
    EVENTS = "events", "Sự kiện mới"
    LEGEND = "legend", "Chú giải"


class Scene(models.Model):
    """One view of the wall. `zoom` is for a 1920 × 1080 screen: larger walls zoom in so that
    the same extent fills them (wall.js)."""

    slug = models.SlugField("mã", max_length=50, unique=True)
    name_vi = models.CharField("tên", max_length=120)
    name_en = models.CharField("tên (tiếng Anh)", max_length=120)
    position = models.PositiveSmallIntegerField("thứ tự", default=0)
    dwell_seconds = models.PositiveIntegerField("thời gian hiển thị (giây)", default=60)
    center_lon = models.FloatField("kinh độ tâm")
    center_lat = models.FloatField("vĩ độ tâm")
    zoom = models.FloatField("mức thu phóng")
    layers = ArrayField(models.SlugField(max_length=80), verbose_name="lớp bản đồ",
                        default=list, blank=True,
                        help_text="Mã các lớp hiện trong cảnh (vd. incidents, schools)")
    incident_statuses = ArrayField(models.CharField(max_length=12, choices=Status.choices),
                                   verbose_name="lọc sự cố theo tình trạng", default=list,
                                   blank=True, help_text="Để trống: mọi tình trạng")
    incident_categories = ArrayField(models.SlugField(max_length=40),
                                     verbose_name="lọc sự cố theo loại", default=list,
                                     blank=True, help_text="Để trống: mọi loại")
    panels = ArrayField(models.CharField(max_length=10, choices=Panel.choices),
                        verbose_name="khung hiển thị", default=list, blank=True)
    is_active = models.BooleanField("đang dùng", default=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "cảnh màn hình tường"
        verbose_name_plural = "cảnh màn hình tường"
        ordering = ["position", "slug"]
        permissions = [("pin_scene", "Ghim cảnh trên màn hình tường")]
        constraints = [
            models.CheckConstraint(
                condition=Q(dwell_seconds__gte=DWELL_MIN_SECONDS,
                            dwell_seconds__lte=DWELL_MAX_SECONDS),
                name="wall_scene_dwell_range"),
            models.CheckConstraint(
                condition=Q(center_lon__gte=-180, center_lon__lte=180,
                            center_lat__gte=-85, center_lat__lte=85),
                name="wall_scene_center_on_earth"),
            models.CheckConstraint(condition=Q(zoom__gte=0, zoom__lte=22),
                                   name="wall_scene_zoom_range"),
            models.CheckConstraint(condition=Q(panels__contained_by=Panel.values),
                                   name="wall_scene_known_panels"),
            models.CheckConstraint(condition=Q(incident_statuses__contained_by=Status.values),
                                   name="wall_scene_known_statuses"),
            models.CheckConstraint(condition=~Q(name_vi="") & ~Q(name_en=""),
                                   name="wall_scene_named"),
        ]

    def __str__(self) -> str:
        return self.name_vi


class ScenePin(models.Model):
    """An operator holding the wall on one scene, until a time or until released. Rows are
    kept as history; the one with `released_at` unset is the pin in force (at most one)."""

    scene = models.ForeignKey(Scene, on_delete=models.CASCADE, related_name="pins",
                              verbose_name="cảnh")
    pinned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, related_name="+", verbose_name="người ghim")
    pinned_at = models.DateTimeField("ghim lúc")
    until = models.DateTimeField("ghim đến")
    released_at = models.DateTimeField("bỏ ghim lúc", null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name="người bỏ ghim")

    class Meta:
        verbose_name = "lượt ghim cảnh"
        verbose_name_plural = "lượt ghim cảnh"
        ordering = ["-pinned_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(until__gt=F("pinned_at")),
                                   name="wall_pin_until_after_start"),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True) | Q(released_at__gte=F("pinned_at")),
                name="wall_pin_released_after_start"),
            # NULLS NOT DISTINCT: two unreleased pins collide (PostgreSQL 15+).
            models.UniqueConstraint(fields=["released_at"],
                                    condition=Q(released_at__isnull=True),
                                    nulls_distinct=False, name="wall_one_pin_in_force"),
        ]

    def __str__(self) -> str:
        return f"{self.scene} → {self.until:%d/%m %H:%M}"

    def is_in_force(self, now) -> bool:
        """Not released and not yet expired."""
        return self.released_at is None and self.until > now
