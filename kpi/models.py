"""The KPI registry (definitions, targets) and values by unit and period with provenance.

IBM IOC's KPI model is the anchor: a KPI has a definition, a unit of measure, a direction, a
periodicity, a grain (the finest administrative level it is recorded at), an owner, a source
(imported series, connector, or computed from our own data by a named aggregation), targets
and a threshold that turns a value into green / amber / red (grey: no data). See
docs/adr/0015-kpi-registry-and-reaggregation.md."""
from datetime import timedelta

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from layers.models import AdminUnit, Sector

from . import periods, status


class Direction(models.TextChoices):
    HIGHER = status.HIGHER, _("Càng cao càng tốt")
    LOWER = status.LOWER, _("Càng thấp càng tốt")


class Periodicity(models.TextChoices):
    DAY = periods.DAY, _("Ngày")
    MONTH = periods.MONTH, _("Tháng")
    QUARTER = periods.QUARTER, _("Quý")
    YEAR = periods.YEAR, _("Năm")


class Grain(models.TextChoices):
    """The finest level a KPI is recorded at; coarser levels may be recorded too."""

    PROVINCE = "PROVINCE", _("Cấp tỉnh")
    DISTRICT = "DISTRICT", _("Cấp huyện (trước 1/7/2025) và tỉnh")
    COMMUNE = "COMMUNE", _("Cấp xã (cả hai thế hệ), huyện và tỉnh")


class Aggregation(models.TextChoices):
    """How values of several units combine (roll-up and re-aggregation across the reform)."""

    SUM = "SUM", _("Cộng dồn (số lượng, tổng)")
    RATIO = "RATIO", _("Tỷ lệ (tính lại từ tử số, mẫu số)")
    MEAN = "MEAN", _("Trung bình có trọng số")


class Source(models.TextChoices):
    IMPORTED = "IMPORTED", _("Chuỗi số liệu nhập (CSV/XLSX)")
    CONNECTOR = "CONNECTOR", _("Kết nối dữ liệu")
    COMPUTED = "COMPUTED", _("Tính từ dữ liệu của hệ thống")


RESERVED_CODES = ("summary", "values", "import")
STATUS_CHOICES = [(status.GREEN, _("Xanh")), (status.AMBER, _("Vàng")), (status.RED, _("Đỏ")),
                  (status.GREY, _("Xám (không có số liệu)"))]


class Kpi(models.Model):
    """One indicator of the catalogue."""

    code = models.SlugField(_("mã"), max_length=63, unique=True)
    name_vi = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên (tiếng Anh)"), max_length=200)
    definition_vi = models.TextField(_("định nghĩa"))
    definition_en = models.TextField(_("định nghĩa (tiếng Anh)"), blank=True)
    unit_vi = models.CharField(_("đơn vị tính"), max_length=40)
    unit_en = models.CharField(_("đơn vị tính (tiếng Anh)"), max_length=40)
    sector = models.CharField(_("lĩnh vực"), max_length=20, choices=Sector.choices)
    direction = models.CharField(_("chiều tốt"), max_length=6, choices=Direction.choices)
    periodicity = models.CharField(_("chu kỳ"), max_length=7, choices=Periodicity.choices)
    grain = models.CharField(_("cấp chi tiết"), max_length=8, choices=Grain.choices)
    aggregation = models.CharField(_("cách tổng hợp"), max_length=5, choices=Aggregation.choices)
    numerator = models.ForeignKey("self", verbose_name=_("tử số"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    denominator = models.ForeignKey("self", verbose_name=_("mẫu số"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    scale = models.FloatField(_("hệ số nhân"), default=1.0,
                              help_text=_("Tỷ lệ = hệ số × tử số / mẫu số (100 cho phần trăm)"))
    owner_department = models.CharField(_("đơn vị chủ trì"), max_length=200)
    source = models.CharField(_("nguồn"), max_length=10, choices=Source.choices)
    computation = models.CharField(
        _("phép tính"), max_length=63, blank=True,
        help_text=_("Tên phép tổng hợp trong kpi/computations.py (chỉ với chỉ số tính toán)"))
    amber_margin_pct = models.FloatField(
        _("ngưỡng vàng (%)"), default=10.0,
        help_text=_("Thiếu so với chỉ tiêu không quá ngưỡng này (phần trăm của chỉ tiêu): vàng; "
                    "thiếu hơn: đỏ"))
    decimals = models.PositiveSmallIntegerField(_("số chữ số thập phân"), default=0)
    is_public = models.BooleanField(_("công khai"), default=False)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("chỉ số KPI")
        verbose_name_plural = _("chỉ số KPI")
        ordering = ["sector", "position", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[a-z][a-z0-9-]{1,62}$")
                                   & ~Q(code__in=RESERVED_CODES), name="kpi_code_format"),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True, denominator__isnull=True)
                | Q(numerator__isnull=False, denominator__isnull=False, aggregation="RATIO"),
                name="kpi_ratio_parts_together"),
            models.CheckConstraint(
                condition=(Q(numerator__isnull=True) | ~Q(numerator=F("id")))
                & (Q(denominator__isnull=True) | ~Q(denominator=F("id"))),
                name="kpi_ratio_parts_not_itself"),
            models.CheckConstraint(
                condition=Q(source="COMPUTED", computation__regex=r"^[a-z][a-z0-9_]{1,62}$")
                | (~Q(source="COMPUTED") & Q(computation="")),
                name="kpi_computation_iff_computed"),
            models.CheckConstraint(condition=Q(scale__gt=0), name="kpi_scale_positive"),
            models.CheckConstraint(condition=Q(amber_margin_pct__gte=0, amber_margin_pct__lte=1000),
                                   name="kpi_amber_margin_range"),
            models.CheckConstraint(condition=Q(decimals__lte=6), name="kpi_decimals_range"),
            models.CheckConstraint(condition=~Q(name_vi="") & ~Q(name_en="") & ~Q(unit_vi=""),
                                   name="kpi_names_set"),
            # Target of the values' composite foreign key (kpi, periodicity): migration 0002.
            models.UniqueConstraint(fields=["id", "periodicity"], name="kpi_id_periodicity"),
        ]

    def __str__(self) -> str:
        return f"{self.name_vi} ({self.code})"

    def name(self, english: bool = False) -> str:
        """The name in the request's language."""
        return self.name_en if english else self.name_vi

    def judge(self, value: float | None, target: float | None) -> status.Judgement:
        """The status of a value against a target, by this KPI's direction and threshold."""
        return status.judge(value=value, target=target, direction=self.direction,
                            amber_pct=self.amber_margin_pct)

    @property
    def has_parts(self) -> bool:
        """A ratio with a numerator and a denominator of its own."""
        return self.numerator_id is not None


class KpiTarget(models.Model):
    """A target from a date on: for one unit, or (rates and means only) for every unit that has
    no target of its own. For a period the target is the unit's own latest one starting on or
    before the period's start, else the general one."""

    kpi = models.ForeignKey(Kpi, verbose_name=_("chỉ số"), on_delete=models.CASCADE,
                            related_name="targets")
    unit = models.ForeignKey(AdminUnit, verbose_name=_("đơn vị hành chính"), null=True,
                             blank=True, on_delete=models.PROTECT, related_name="+",
                             help_text=_("Để trống: mọi đơn vị (chỉ với tỷ lệ, trung bình)"))
    effective_from = models.DateField(_("áp dụng từ kỳ"))
    value = models.FloatField(_("chỉ tiêu"))
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("chỉ tiêu KPI")
        verbose_name_plural = _("chỉ tiêu KPI")
        ordering = ["kpi", "unit", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "unit", "effective_from"],
                                    nulls_distinct=False, name="kpitarget_one_per_start"),
            models.CheckConstraint(condition=Q(value__gt=float("-inf"), value__lt=float("inf")),
                                   name="kpitarget_value_finite"),
        ]

    def __str__(self) -> str:
        return f"{self.kpi.code} ≥/≤ {self.value} từ {self.effective_from.isoformat()}"


class ProvenanceKind(models.TextChoices):
    IMPORT = "IMPORT", _("Nhập tệp")
    CONNECTOR = "CONNECTOR", _("Kết nối dữ liệu")
    COMPUTED = "COMPUTED", _("Tính toán")
    DEMO = "DEMO", _("Dữ liệu demo")
    MANUAL = "MANUAL", _("Nhập tay (quản trị)")


class RunOutcome(models.TextChoices):
    """How a run ended. Only a feed's pull can fail or find its source unchanged: an import
    or a refresh that fails rolls its run back with its values."""

    SUCCEEDED = "SUCCEEDED", _("Thành công")
    NOT_MODIFIED = "NOT_MODIFIED", _("Nguồn không đổi (HTTP 304)")
    FAILED = "FAILED", _("Thất bại")


# http(s) only, no user:password@ in the URL (the same rule as integration's connectors).
FEED_URL_PATTERN = r"^https?://[^/?#@\s]+([/?#][^\s]*)?$"
FEED_SECRET_ENV_PATTERN = r"^IOC_PULL_SECRET_[A-Z0-9_]{1,80}$"


class KpiFeed(models.Model):
    """A connector that feeds KPI values: a CSV/XLSX table of the import's columns at an
    http(s) URL, pulled every `pull_interval` (kpi/feeds.py). The secret, if any, is read from
    the environment variable named here and sent as the `Authorization` header verbatim."""

    name = models.CharField(_("tên"), max_length=200)
    owner_department = models.CharField(_("đơn vị quản lý"), max_length=200)
    url = models.URLField(
        _("địa chỉ nguồn (URL)"), max_length=2000,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("http:// hoặc https:// — bảng CSV hoặc XLSX với các cột kpi, unit, period, "
                    "value[, note, generation]. Không ghi mật khẩu vào URL."))
    pull_interval = models.DurationField(
        _("chu kỳ lấy dữ liệu"),
        help_text=_("Ví dụ 01:00:00 (một giờ), 1 00:00:00 (một ngày); ít nhất 1 phút."))
    secret_env = models.CharField(
        _("biến môi trường chứa khóa"), max_length=100, blank=True,
        help_text=_("Tên biến môi trường (bắt đầu bằng IOC_PULL_SECRET_) chứa giá trị tiêu đề "
                    "Authorization, ví dụ “Bearer …”; khóa không lưu trong cơ sở dữ liệu."))
    is_active = models.BooleanField(_("đang dùng"), default=True)
    last_pulled_at = models.DateTimeField(_("lần lấy gần nhất"), null=True, blank=True,
                                          editable=False)
    source_etag = models.CharField(_("ETag của nguồn"), max_length=500, blank=True,
                                   editable=False)
    source_last_modified = models.CharField(_("Last-Modified của nguồn"), max_length=100,
                                            blank=True, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("nguồn số liệu KPI")
        verbose_name_plural = _("nguồn số liệu KPI")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(url__regex=FEED_URL_PATTERN),
                                   name="kpifeed_url_http"),
            models.CheckConstraint(condition=Q(pull_interval__gte=timedelta(minutes=1)),
                                   name="kpifeed_pull_interval_min"),
            models.CheckConstraint(condition=Q(secret_env="")
                                   | Q(secret_env__regex=FEED_SECRET_ENV_PATTERN),
                                   name="kpifeed_secret_from_env"),
            models.CheckConstraint(condition=~Q(name=""), name="kpifeed_name_set"),
        ]

    def __str__(self) -> str:
        return self.name


class KpiRun(models.Model):
    """Provenance of a batch of values: an import of a file, a feed's pull, a computation's
    refresh, the demo. Values keep the run that last changed them."""

    kind = models.CharField(_("loại"), max_length=10, choices=ProvenanceKind.choices)
    file_name = models.CharField(_("tệp"), max_length=255, blank=True)
    computation = models.CharField(_("phép tính"), max_length=63, blank=True)
    kpi = models.ForeignKey(Kpi, verbose_name=_("chỉ số"), null=True, blank=True,
                            on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người thực hiện"),
                             null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(_("bắt đầu lúc"))
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    since = models.DateField(_("tính lại từ"), null=True, blank=True)
    rows_read = models.PositiveIntegerField(_("số dòng đọc"), default=0)
    rows_inserted = models.PositiveIntegerField(_("thêm mới"), default=0)
    rows_updated = models.PositiveIntegerField(_("cập nhật"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("không đổi"), default=0)
    rows_deleted = models.PositiveIntegerField(_("xóa"), default=0)
    feed = models.ForeignKey(KpiFeed, verbose_name=_("nguồn số liệu"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="runs")
    outcome = models.CharField(_("kết quả"), max_length=12, choices=RunOutcome.choices,
                               default=RunOutcome.SUCCEEDED)
    message = models.TextField(_("thông báo"), blank=True)

    class Meta:
        verbose_name = _("lượt cập nhật số liệu KPI")
        verbose_name_plural = _("lượt cập nhật số liệu KPI")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="COMPUTED") | ~Q(computation=""),
                                   name="kpirun_computed_names_computation"),
            models.CheckConstraint(condition=Q(finished_at__isnull=True)
                                   | Q(finished_at__gte=F("started_at")),
                                   name="kpirun_finish_after_start"),
            models.CheckConstraint(condition=Q(feed__isnull=True) | Q(kind="CONNECTOR"),
                                   name="kpirun_feed_is_connector"),
            models.CheckConstraint(  # a failed or unchanged pull wrote nothing, and says why
                condition=Q(outcome="SUCCEEDED")
                | (Q(outcome__in=["FAILED", "NOT_MODIFIED"], rows_inserted=0, rows_updated=0,
                     rows_deleted=0) & ~Q(message="")),
                name="kpirun_unsuccessful_wrote_nothing"),
        ]

    def __str__(self) -> str:
        what = self.computation or self.file_name or self.get_kind_display()
        return f"#{self.pk} {what} ({self.started_at:%Y-%m-%d %H:%M})"


def _aligned() -> Q:
    return (Q(periodicity=periods.DAY) | Q(periodicity=periods.MONTH, period_start__day=1)
            | Q(periodicity=periods.QUARTER, period_start__day=1,
                period_start__month__in=[1, 4, 7, 10])
            | Q(periodicity=periods.YEAR, period_start__day=1, period_start__month=1))


class KpiValue(models.Model):
    """The value of a KPI for one unit version and one period, with where it came from.

    `unit` is a version of one of the two reference generations (in force today, or on
    2025-06-30): a series of a current commune may reach back before the reform (a back-cast),
    and one of a pre-reform district continues after it. `periodicity` repeats the KPI's, tied
    to it by a composite foreign key, so the database checks that `period_start` is aligned."""

    # The unique index leads with kpi_id, and the composite foreign key (kpi_id, periodicity)
    # of migration 0002 already checks the KPI exists: no second index, no second trigger.
    kpi = models.ForeignKey(Kpi, verbose_name=_("chỉ số"), on_delete=models.PROTECT,
                            related_name="values", db_index=False, db_constraint=False)
    unit = models.ForeignKey(AdminUnit, verbose_name=_("đơn vị hành chính"),
                             on_delete=models.PROTECT, related_name="+")
    periodicity = models.CharField(_("chu kỳ"), max_length=7, choices=Periodicity.choices)
    period_start = models.DateField(_("kỳ (ngày đầu)"))
    value = models.FloatField(_("giá trị"))
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    source = models.CharField(_("nguồn"), max_length=10, choices=ProvenanceKind.choices)
    run = models.ForeignKey(KpiRun, verbose_name=_("lượt cập nhật"), null=True, blank=True,
                            on_delete=models.PROTECT, related_name="values")
    recorded_at = models.DateTimeField(_("ghi nhận lúc"))

    class Meta:
        verbose_name = _("số liệu KPI")
        verbose_name_plural = _("số liệu KPI")
        ordering = ["kpi", "unit", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "unit", "period_start"],
                                    name="kpivalue_one_per_unit_period"),
            models.CheckConstraint(condition=_aligned(), name="kpivalue_period_aligned"),
            # NaN sorts above +∞ in PostgreSQL, so this refuses NaN and both infinities.
            models.CheckConstraint(condition=Q(value__gt=float("-inf"), value__lt=float("inf")),
                                   name="kpivalue_value_finite"),
            models.CheckConstraint(condition=Q(source="MANUAL") | Q(run__isnull=False),
                                   name="kpivalue_provenance_run"),
        ]
        indexes = [models.Index(fields=["kpi", "period_start"], name="kpivalue_kpi_period")]

    def __str__(self) -> str:
        return f"{self.kpi.code} {self.period.label} {self.unit.code}: {self.value}"

    @property
    def period(self) -> periods.Period:
        """The value's period."""
        return periods.Period(self.period_start, self.periodicity)
