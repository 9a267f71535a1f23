"""Alerts to an owner department, and who hears them.

An alert is about one subject (`connector:12`, `layer:tram-y-te`, `kpi:GRDP`…) and one kind;
while it is open the database allows one alert per (kind, subject), so a check that runs every
few minutes refreshes the open alert instead of piling up copies. It closes when the condition
clears; someone may acknowledge it meanwhile. Mail goes through `AlertDelivery` (an outbox
written in the alert's own transaction, sent by `manage.py alerts_deliver`)."""
from django.conf import settings
from django.db import models
from django.db.models import F, Q

from layers.models import Sector

SUBJECT_PATTERN = r"^[a-z][a-z0-9_]*:[A-Za-z0-9_.:-]{1,120}$"


class AlertKind(models.TextChoices):
    SOURCE_STALE = "SOURCE_STALE", "Nguồn dữ liệu chậm cập nhật"
    SOURCE_FAILING = "SOURCE_FAILING", "Nguồn dữ liệu nhập lỗi"
    QUALITY_LOW = "QUALITY_LOW", "Chất lượng dữ liệu thấp"
    KPI_ATTENTION = "KPI_ATTENTION", "Chỉ tiêu cần chú ý"


class Severity(models.TextChoices):
    WARNING = "WARNING", "Cảnh báo"
    CRITICAL = "CRITICAL", "Nghiêm trọng"


class Alert(models.Model):
    """One condition that needs its owner's attention, open until it clears."""

    kind = models.CharField("loại", max_length=20, choices=AlertKind.choices)
    subject = models.CharField("đối tượng", max_length=140,
                               help_text="Dạng loại:mã, ví dụ connector:12, layer:tram-y-te")
    owner_department = models.CharField("đơn vị quản lý", max_length=200)
    sector = models.CharField("lĩnh vực", max_length=20, choices=Sector.choices, blank=True)
    severity = models.CharField("mức độ", max_length=10, choices=Severity.choices,
                                default=Severity.WARNING)
    title = models.CharField("tiêu đề", max_length=300)
    detail = models.TextField("chi tiết", blank=True)
    evidence = models.JSONField("số liệu", default=dict, blank=True)
    link = models.CharField("đường dẫn", max_length=300, blank=True,
                            help_text="Trang xem chi tiết (đường dẫn trong hệ thống)")
    raised_at = models.DateTimeField("phát sinh lúc")
    last_seen_at = models.DateTimeField("ghi nhận gần nhất")
    resolved_at = models.DateTimeField("hết lúc", null=True, blank=True)
    acknowledged_at = models.DateTimeField("đã xem lúc", null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người xem",
                                        null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")

    class Meta:
        verbose_name = "cảnh báo"
        verbose_name_plural = "cảnh báo"
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject"],
                                    condition=Q(resolved_at__isnull=True),
                                    name="alert_one_open_per_subject"),
            models.CheckConstraint(condition=Q(subject__regex=SUBJECT_PATTERN),
                                   name="alert_subject_format"),
            models.CheckConstraint(condition=Q(last_seen_at__gte=F("raised_at")),
                                   name="alert_seen_after_raised"),
            models.CheckConstraint(condition=Q(resolved_at__isnull=True)
                                   | Q(resolved_at__gte=F("raised_at")),
                                   name="alert_resolved_after_raised"),
            models.CheckConstraint(condition=Q(acknowledged_at__isnull=True)
                                   | Q(acknowledged_at__gte=F("raised_at")),
                                   name="alert_acknowledged_after_raised"),
            models.CheckConstraint(condition=~Q(title=""), name="alert_title_set"),
            models.CheckConstraint(condition=~Q(link__contains="//") & (Q(link="")
                                   | Q(link__startswith="/")), name="alert_link_internal"),
        ]
        indexes = [models.Index(fields=["resolved_at", "-raised_at"], name="alert_open_newest")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class DepartmentContact(models.Model):
    """Who hears a department's alerts: its members (who also see them as theirs in the list)
    and an optional shared mailbox."""

    department = models.CharField("đơn vị", max_length=200, unique=True,
                                  help_text="Đúng như tên đơn vị quản lý ghi ở lớp, kết nối, chỉ tiêu")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="thành viên",
                                     blank=True, related_name="alert_departments")
    mailbox = models.EmailField("hộp thư chung", blank=True)

    class Meta:
        verbose_name = "đầu mối nhận cảnh báo"
        verbose_name_plural = "đầu mối nhận cảnh báo"
        ordering = ["department"]
        constraints = [models.CheckConstraint(condition=~Q(department=""),
                                              name="departmentcontact_name_set")]

    def __str__(self) -> str:
        return self.department


class AlertDelivery(models.Model):
    """One e-mail of a newly raised alert to one address, sent later by the outbox."""

    alert = models.ForeignKey(Alert, verbose_name="cảnh báo", on_delete=models.CASCADE,
                              related_name="deliveries")
    email = models.EmailField("địa chỉ")
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    sent_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("số lần thử", default=0)
    last_error = models.CharField("lỗi gần nhất", max_length=300, blank=True)

    class Meta:
        verbose_name = "thư cảnh báo"
        verbose_name_plural = "thư cảnh báo"
        constraints = [
            models.UniqueConstraint(fields=["alert", "email"], name="alertdelivery_once"),
        ]
        indexes = [models.Index(fields=["sent_at", "id"], name="alertdelivery_pending")]
