"""The last health check of each data source, so pages and the API read a row instead of
scanning a million features; `manage.py sources_check` (and the periodic task) rewrites them."""
from django.db import models
from django.db.models import Q

from layers.models import Layer, Sector


class SourceKind(models.TextChoices):
    CONNECTOR = "CONNECTOR", "Kết nối dữ liệu"
    STREAM = "STREAM", "Luồng cảm biến (MQTT)"
    LAYER = "LAYER", "Lớp bản đồ"


class Liveness(models.TextChoices):
    FRESH = "FRESH", "Cập nhật đúng hạn"
    STALE = "STALE", "Chậm cập nhật"
    FAILING = "FAILING", "Lần nhập gần nhất lỗi"
    NEVER = "NEVER", "Chưa có dữ liệu"
    UNSCHEDULED = "UNSCHEDULED", "Không đặt chu kỳ"
    INACTIVE = "INACTIVE", "Đang tắt"


class SourceStatus(models.Model):
    """One source's liveness and quality at the last check."""

    subject = models.CharField("đối tượng", max_length=140, unique=True,
                               help_text="connector:<id>, stream:<id> hoặc layer:<mã lớp>")
    kind = models.CharField("loại", max_length=10, choices=SourceKind.choices)
    name = models.CharField("tên", max_length=200)
    layer = models.ForeignKey(Layer, verbose_name="lớp", null=True, blank=True,
                              on_delete=models.CASCADE, related_name="+")
    sector = models.CharField("lĩnh vực", max_length=20, choices=Sector.choices)
    owner_department = models.CharField("đơn vị quản lý", max_length=200)
    liveness = models.CharField("tình trạng", max_length=12, choices=Liveness.choices)
    expected_interval = models.DurationField("chu kỳ cập nhật dự kiến", null=True, blank=True)
    last_success_at = models.DateTimeField("cập nhật thành công gần nhất", null=True,
                                           blank=True)
    completeness = models.FloatField("đầy đủ", null=True, blank=True,
                                     help_text="Tỷ lệ đối tượng có đủ các thuộc tính bắt buộc")
    validity = models.FloatField("hợp lệ", null=True, blank=True,
                                 help_text="Tỷ lệ dòng/bản tin hợp lệ trong 30 ngày")
    feature_count = models.PositiveIntegerField("số đối tượng", null=True, blank=True)
    detail = models.JSONField("chi tiết", default=dict, blank=True)
    checked_at = models.DateTimeField("kiểm tra lúc")

    class Meta:
        verbose_name = "tình trạng nguồn dữ liệu"
        verbose_name_plural = "tình trạng nguồn dữ liệu"
        ordering = ["sector", "kind", "name"]
        permissions = [("run_check", "Kiểm tra nguồn dữ liệu ngay")]
        constraints = [
            models.CheckConstraint(condition=Q(completeness__isnull=True)
                                   | Q(completeness__gte=0, completeness__lte=1),
                                   name="sourcestatus_completeness_share"),
            models.CheckConstraint(condition=Q(validity__isnull=True)
                                   | Q(validity__gte=0, validity__lte=1),
                                   name="sourcestatus_validity_share"),
            models.CheckConstraint(condition=~Q(liveness__in=["FRESH", "STALE"])
                                   | Q(expected_interval__isnull=False,
                                       last_success_at__isnull=False),
                                   name="sourcestatus_freshness_needs_interval"),
            models.CheckConstraint(condition=Q(subject__regex=r"^(connector|stream|layer):"),
                                   name="sourcestatus_subject_format"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.get_liveness_display()}"
