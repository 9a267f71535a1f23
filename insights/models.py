"""What the KPI insights keep: the KPIs and units that need attention (a deteriorating trend, a
streak of periods off target) and the stored forecasts, which are not cheap to compute.

Both are derived data: `manage.py kpi_insights` and the Celery task `insights.refresh` rebuild
them from the KPI values (docs/adr/0017-kpi-insights-trends-forecasts.md)."""
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kpi.models import Kpi
from layers.models import AdminUnit

GENERATIONS = [("current", _("Hiện hành (sau 1/7/2025)")),
               ("pre2025", _("Trước 1/7/2025"))]


class AttentionKind(models.TextChoices):
    TREND = "TREND", _("Xu hướng xấu đi")
    STREAK = "STREAK", _("Nhiều kỳ liên tiếp không đạt chỉ tiêu")


class Severity(models.TextChoices):
    """The alert's scale (alerts.models.Severity has the same codes)."""

    WARNING = "WARNING", _("Cảnh báo")
    CRITICAL = "CRITICAL", _("Nghiêm trọng")


class Attention(models.Model):
    """One KPI at one unit that needs attention, with the evidence; kept while it lasts."""

    kpi = models.ForeignKey(Kpi, verbose_name=_("chỉ số"), on_delete=models.CASCADE,
                            related_name="+")
    unit = models.ForeignKey(AdminUnit, verbose_name=_("đơn vị hành chính"),
                             on_delete=models.CASCADE, related_name="+")
    generation = models.CharField(_("thế hệ đơn vị"), max_length=8, choices=GENERATIONS)
    kind = models.CharField(_("loại"), max_length=6, choices=AttentionKind.choices)
    severity = models.CharField(_("mức độ"), max_length=8, choices=Severity.choices,
                                default=Severity.WARNING)
    evidence = models.JSONField(_("bằng chứng"), default=dict)
    since = models.DateField(_("từ kỳ"), help_text=_("Kỳ đầu của xu hướng hoặc chuỗi kỳ"))
    detected_at = models.DateTimeField(_("phát hiện lúc"))
    last_seen_at = models.DateTimeField(_("ghi nhận gần nhất"))

    class Meta:
        verbose_name = _("chỉ số cần chú ý")
        verbose_name_plural = _("chỉ số cần chú ý")
        ordering = ["kpi", "unit", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "unit", "generation", "kind"],
                                    name="attention_one_per_kind"),
            models.CheckConstraint(condition=Q(generation__in=["current", "pre2025"]),
                                   name="attention_generation_known"),
            models.CheckConstraint(condition=Q(kind__in=AttentionKind.values),
                                   name="attention_kind_known"),
            models.CheckConstraint(condition=Q(severity__in=Severity.values),
                                   name="attention_severity_known"),
            models.CheckConstraint(condition=Q(last_seen_at__gte=F("detected_at")),
                                   name="attention_seen_after_detected"),
        ]

    def __str__(self) -> str:
        return f"{self.kpi.code} @ {self.unit.code}: {self.get_kind_display()}"


class Forecast(models.Model):
    """The chosen model's forecast of a KPI at a unit, with the backtest errors of every
    candidate; valid while the history it was computed from (`history_digest`) is unchanged."""

    kpi = models.ForeignKey(Kpi, verbose_name=_("chỉ số"), on_delete=models.CASCADE,
                            related_name="+")
    unit = models.ForeignKey(AdminUnit, verbose_name=_("đơn vị hành chính"),
                             on_delete=models.CASCADE, related_name="+")
    generation = models.CharField(_("thế hệ đơn vị"), max_length=8, choices=GENERATIONS)
    computed_at = models.DateTimeField(_("tính lúc"))
    model = models.CharField(_("mô hình"), max_length=10)
    mape = models.FloatField(_("sai số kiểm định (%)"))
    metric = models.CharField(_("thước đo sai số"), max_length=5, default="MAPE")
    candidates = models.JSONField(_("các mô hình thử"), default=list)
    points = models.JSONField(_("giá trị dự báo"), default=list)
    based_on_last_period = models.DateField(_("dựa trên số liệu đến kỳ"))
    history_length = models.PositiveSmallIntegerField(_("số kỳ lịch sử"))
    history_digest = models.CharField(_("dấu vân tay lịch sử"), max_length=64)
    backtest = models.JSONField(_("kiểm định"), default=dict)

    class Meta:
        verbose_name = _("dự báo KPI")
        verbose_name_plural = _("dự báo KPI")
        ordering = ["kpi", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "unit", "generation"],
                                    name="forecast_one_per_series"),
            models.CheckConstraint(condition=Q(generation__in=["current", "pre2025"]),
                                   name="forecast_generation_known"),
            models.CheckConstraint(condition=Q(mape__gte=0, mape__lt=float("inf")),
                                   name="forecast_error_finite"),
            models.CheckConstraint(condition=Q(metric__in=["MAPE", "sMAPE"]),
                                   name="forecast_metric_known"),
            models.CheckConstraint(condition=~Q(model=""), name="forecast_model_set"),
        ]

    def __str__(self) -> str:
        return f"{self.kpi.code} @ {self.unit.code}: {self.model} ({self.mape:.1f} %)"


MODEL_LABELS = {
    "NAIVE": _("Giữ nguyên giá trị kỳ gần nhất (naive)"),
    "SNAIVE": _("Lặp lại cùng kỳ mùa trước (seasonal naive)"),
    "ETS_ANN": _("San bằng mũ đơn, ETS(A,N,N)"),
    "ETS_AADN": _("San bằng mũ có xu hướng tắt dần, ETS(A,Ad,N)"),
    "ETS_ANA": _("San bằng mũ theo mùa, ETS(A,N,A)"),
    "ETS_AADA": _("San bằng mũ có xu hướng tắt dần và theo mùa, ETS(A,Ad,A)"),
    "ARIMA": _("ARIMA(0,1,1) có trôi"),
    "SARIMA": _("SARIMA(0,1,1)(0,1,1) theo mùa"),
}
