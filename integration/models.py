"""Connectors (one per source, owned by a department) and their import runs with the rows each
run rejected. The database holds the invariants: count arithmetic, status ↔ timestamps, a
failed run never wrote a feature, pull connectors name an http(s) URL and a schedule, at most
one pull of a connector is queued or running."""
from datetime import timedelta

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.lookups import Exact

from layers.models import Layer


class ConnectorKind(models.TextChoices):
    FILE = "FILE", "Tệp tải lên"
    HTTP_GEOJSON = "HTTP_GEOJSON", "GeoJSON qua HTTP"
    HTTP_JSON = "HTTP_JSON", "JSON REST (bản ghi)"
    OGC_FEATURES = "OGC_FEATURES", "OGC API – Features"
    CSV_URL = "CSV_URL", "CSV qua HTTP"


PULL_KINDS = (ConnectorKind.HTTP_GEOJSON, ConnectorKind.HTTP_JSON, ConnectorKind.OGC_FEATURES,
              ConnectorKind.CSV_URL)


class AuthHeader(models.TextChoices):
    """Request headers a pull may carry a secret in (an allow-list)."""

    NONE = "", "Không"
    AUTHORIZATION = "Authorization", "Authorization"
    API_KEY = "X-API-Key", "X-API-Key"


# A secret is read from the environment variable the connector names, never from the database;
# only variables with this prefix, so a connector cannot send SECRET_KEY or DATABASE_URL away.
SECRET_ENV_PREFIX = "IOC_PULL_SECRET_"
SECRET_ENV_PATTERN = r"^IOC_PULL_SECRET_[A-Z0-9_]{1,80}$"
RECORDS_PATH_PATTERN = r"^[A-Za-z0-9_$@-]+(\.[A-Za-z0-9_$@-]+)*$"
URL_PATTERN = r"^https?://[^/?#@\s]+([/?#][^\s]*)?$"  # no user:password@ in the URL


class Connector(models.Model):
    """How one source's files map onto a target layer.

    `field_mapping`: `{"<target property>": {"source": "<column>", "values": {"<source value>":
    "<code>"}}}` (`values` optional: source values, matched ignoring case and diacritics, to
    the layer's code list). Positions come from the file's geometry, else from the lon/lat
    columns, else by joining a commune code or name column to the current communes."""

    name = models.CharField("tên", max_length=200)
    kind = models.CharField("loại", max_length=20, choices=ConnectorKind.choices,
                            default=ConnectorKind.FILE)
    layer = models.ForeignKey(Layer, verbose_name="lớp đích", on_delete=models.PROTECT,
                              related_name="connectors")
    owner_department = models.CharField("đơn vị quản lý", max_length=200)
    field_mapping = models.JSONField("ánh xạ trường", default=dict, blank=True)
    id_column = models.CharField("cột mã ngoài", max_length=100)
    lon_column = models.CharField("cột kinh độ / X", max_length=100, blank=True)
    lat_column = models.CharField("cột vĩ độ / Y", max_length=100, blank=True)
    unit_code_column = models.CharField("cột mã xã", max_length=100, blank=True)
    unit_name_column = models.CharField("cột tên xã", max_length=100, blank=True)
    observed_at_column = models.CharField("cột thời điểm", max_length=100, blank=True)
    source_crs = models.CharField(
        "hệ tọa độ nguồn", max_length=500, blank=True,
        help_text="Mã EPSG (EPSG:3405) hoặc chuỗi PROJ (+proj=tmerc … VN-2000); để trống: "
                  "theo tệp, nếu tệp không có thì WGS84")
    encoding = models.CharField("bảng mã", max_length=40, blank=True,
                                help_text="Khi tệp không khai báo (.cpg); để trống: UTF-8")
    update_interval = models.DurationField("chu kỳ cập nhật dự kiến", null=True, blank=True)
    is_active = models.BooleanField("đang dùng", default=True)
    # Pull connectors (kinds other than FILE; integration/pull.py).
    url = models.URLField(
        "địa chỉ nguồn (URL)", max_length=2000, blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="http:// hoặc https:// — GeoJSON, JSON REST, trang items của một collection "
                  "OGC API – Features, hoặc CSV. Không ghi mật khẩu vào URL.")
    pull_interval = models.DurationField(
        "chu kỳ lấy dữ liệu", null=True, blank=True,
        help_text="Ví dụ 00:15:00 (15 phút), 1 00:00:00 (một ngày); ít nhất 1 phút.")
    records_path = models.CharField(
        "đường dẫn bản ghi", max_length=200, blank=True,
        help_text="JSON REST: khóa tới danh sách bản ghi, ví dụ data.items; để trống khi tài "
                  "liệu là một danh sách.")
    auth_header = models.CharField("tiêu đề xác thực", max_length=20, blank=True,
                                   choices=AuthHeader.choices, default=AuthHeader.NONE)
    auth_scheme = models.CharField("kiểu xác thực", max_length=20, blank=True,
                                   help_text="Tiền tố trước khóa, ví dụ Bearer; để trống nếu "
                                             "không có.")
    secret_env = models.CharField(
        "biến môi trường chứa khóa", max_length=100, blank=True,
        help_text=f"Tên biến môi trường của máy chủ (bắt đầu bằng {SECRET_ENV_PREFIX}); khóa "
                  "không bao giờ lưu trong cơ sở dữ liệu.")
    pull_timeout = models.PositiveSmallIntegerField(
        "thời gian chờ (giây)", default=30, help_text="Cho mỗi lần kết nối và đọc; 1–300.")
    last_pulled_at = models.DateTimeField(
        "lần lấy gần nhất", null=True, blank=True, editable=False,
        help_text="Lúc lượt lấy dữ liệu gần nhất được xếp hàng (theo lịch hoặc bấm tay).")
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "kết nối dữ liệu"
        verbose_name_plural = "kết nối dữ liệu"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(id_column=""), name="connector_id_column_set"),
            models.CheckConstraint(condition=Q(lon_column="", lat_column="")
                                   | (~Q(lon_column="") & ~Q(lat_column="")),
                                   name="connector_lon_lat_together"),
            models.CheckConstraint(condition=Q(unit_code_column="") | Q(unit_name_column=""),
                                   name="connector_one_unit_join"),
            models.CheckConstraint(
                condition=Exact(Func(F("field_mapping"), function="jsonb_typeof",
                                     output_field=models.TextField()), Value("object")),
                name="connector_field_mapping_object"),
            models.CheckConstraint(condition=Q(kind__in=ConnectorKind.values),
                                   name="connector_kind_known"),
            models.CheckConstraint(  # a file connector has no pull settings; a pull one needs both
                condition=Q(kind=ConnectorKind.FILE, url="", pull_interval__isnull=True)
                | (~Q(kind=ConnectorKind.FILE) & ~Q(url="") & Q(pull_interval__isnull=False)),
                name="connector_pull_needs_url_and_interval"),
            models.CheckConstraint(condition=Q(url="") | Q(url__regex=URL_PATTERN),
                                   name="connector_url_http"),
            models.CheckConstraint(condition=Q(pull_interval__isnull=True)
                                   | Q(pull_interval__gte=timedelta(minutes=1)),
                                   name="connector_pull_interval_min"),
            models.CheckConstraint(condition=Q(pull_timeout__gte=1, pull_timeout__lte=300),
                                   name="connector_pull_timeout_range"),
            models.CheckConstraint(
                condition=Q(records_path="")
                | Q(kind=ConnectorKind.HTTP_JSON, records_path__regex=RECORDS_PATH_PATTERN),
                name="connector_records_path_json"),
            models.CheckConstraint(
                condition=Q(auth_header="", auth_scheme="", secret_env="")
                | (Q(auth_header__in=[AuthHeader.AUTHORIZATION, AuthHeader.API_KEY])
                   & Q(secret_env__regex=SECRET_ENV_PATTERN)
                   & Q(auth_scheme__regex=r"^[A-Za-z][A-Za-z0-9-]{0,19}$|^$")),
                name="connector_auth_from_env"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_pull(self) -> bool:
        """The connector fetches its source over HTTP (on a schedule or when asked)."""
        return self.kind in PULL_KINDS


class RunStatus(models.TextChoices):
    QUEUED = "QUEUED", "Chờ xử lý"
    RUNNING = "RUNNING", "Đang chạy"
    SUCCEEDED = "SUCCEEDED", "Thành công"
    FAILED = "FAILED", "Thất bại"


class RunPhase(models.TextChoices):
    WAITING = "WAITING", "Chờ"
    FETCHING = "FETCHING", "Tải từ nguồn"
    READING = "READING", "Đọc tệp"
    VALIDATING = "VALIDATING", "Kiểm tra"
    WRITING = "WRITING", "Ghi dữ liệu"
    DONE = "DONE", "Xong"


class RunTrigger(models.TextChoices):
    UPLOAD = "UPLOAD", "Tải tệp lên"
    SCHEDULE = "SCHEDULE", "Theo lịch"
    MANUAL = "MANUAL", "Lấy ngay"


PULL_TRIGGERS = (RunTrigger.SCHEDULE, RunTrigger.MANUAL)


class ImportRun(models.Model):
    """One upload or pull of a source through a connector, from queue to report.

    A pull run is queued without a file; the worker fetches `source_url` into a stored upload
    (phase FETCHING) and carries on exactly as an upload. The source's ETag / Last-Modified
    are kept on the run: the next pull sends those of the last succeeded one (conditional
    GET), so a failed run never makes an unchanged source look imported."""

    connector = models.ForeignKey(Connector, verbose_name="kết nối", on_delete=models.PROTECT,
                                  related_name="runs")
    status = models.CharField("trạng thái", max_length=10, choices=RunStatus.choices,
                              default=RunStatus.QUEUED)
    phase = models.CharField("giai đoạn", max_length=10, choices=RunPhase.choices,
                             default=RunPhase.WAITING)
    file_name = models.CharField("tên tệp gốc", max_length=255)
    file_size = models.PositiveBigIntegerField("dung lượng (byte)")
    stored_path = models.CharField("tệp lưu", max_length=255, editable=False,
                                   help_text="Dưới thư mục nhập liệu, tên do hệ thống đặt")
    driver = models.CharField("định dạng", max_length=20)
    progress_done = models.PositiveIntegerField("đã xử lý", default=0)
    progress_total = models.PositiveIntegerField("tổng cần xử lý", default=0)
    rows_read = models.PositiveIntegerField("dòng đọc", default=0)
    rows_inserted = models.PositiveIntegerField("thêm mới", default=0)
    rows_updated = models.PositiveIntegerField("cập nhật", default=0)
    rows_unchanged = models.PositiveIntegerField("không đổi", default=0)
    rows_rejected = models.PositiveIntegerField("bị loại", default=0)
    message = models.TextField("thông báo", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người tải lên",
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    token = models.ForeignKey("access.ApiToken", verbose_name="khóa API", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    trigger = models.CharField("khởi động bởi", max_length=10, choices=RunTrigger.choices,
                               default=RunTrigger.UPLOAD)
    source_url = models.CharField("địa chỉ nguồn", max_length=2000, blank=True)
    source_etag = models.CharField("ETag của nguồn", max_length=500, blank=True)
    source_last_modified = models.CharField("Last-Modified của nguồn", max_length=100,
                                            blank=True)
    source_not_modified = models.BooleanField(
        "nguồn không đổi", default=False,
        help_text="Nguồn trả lời 304 (không đổi từ lượt trước): không đọc, không ghi gì.")
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    started_at = models.DateTimeField("bắt đầu lúc", null=True, blank=True)
    finished_at = models.DateTimeField("kết thúc lúc", null=True, blank=True)

    class Meta:
        verbose_name = "lượt nhập dữ liệu"
        verbose_name_plural = "lượt nhập dữ liệu"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress_done__lte=F("progress_total")),
                                   name="importrun_progress_in_range"),
            models.CheckConstraint(
                condition=~Q(status=RunStatus.SUCCEEDED) | Q(
                    rows_read=F("rows_inserted") + F("rows_updated") + F("rows_unchanged")
                    + F("rows_rejected")),
                name="importrun_counts_add_up"),
            models.CheckConstraint(  # a failed run wrote nothing
                condition=~Q(status=RunStatus.FAILED) | Q(rows_inserted=0, rows_updated=0),
                name="importrun_failed_wrote_nothing"),
            models.CheckConstraint(
                condition=Q(status=RunStatus.QUEUED, started_at__isnull=True)
                | (~Q(status=RunStatus.QUEUED) & Q(started_at__isnull=False)),
                name="importrun_started_unless_queued"),
            models.CheckConstraint(
                condition=Q(status__in=[RunStatus.SUCCEEDED, RunStatus.FAILED],
                            finished_at__isnull=False)
                | Q(status__in=[RunStatus.QUEUED, RunStatus.RUNNING], finished_at__isnull=True),
                name="importrun_finished_when_done"),
            models.CheckConstraint(condition=~Q(stored_path__contains="..")
                                   & ~Q(stored_path__startswith="/"),
                                   name="importrun_stored_path_relative"),
            models.CheckConstraint(condition=Q(trigger__in=RunTrigger.values),
                                   name="importrun_trigger_known"),
            models.CheckConstraint(  # a pull names where it pulls from; an upload does not
                condition=Q(trigger=RunTrigger.UPLOAD, source_url="")
                | (Q(trigger__in=PULL_TRIGGERS) & ~Q(source_url="")),
                name="importrun_pull_has_url"),
            models.CheckConstraint(
                condition=Q(source_not_modified=False)
                | Q(status=RunStatus.SUCCEEDED, rows_read=0, trigger__in=PULL_TRIGGERS),
                name="importrun_not_modified_is_empty_pull"),
            models.UniqueConstraint(  # the schedule and "pull now" never queue a second one
                fields=["connector"], condition=Q(trigger__in=PULL_TRIGGERS,
                                                  status__in=[RunStatus.QUEUED,
                                                              RunStatus.RUNNING]),
                name="importrun_one_pull_in_flight"),
        ]
        indexes = [models.Index(fields=["status", "id"], name="importrun_status")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        """The run has succeeded or failed."""
        return self.status in (RunStatus.SUCCEEDED, RunStatus.FAILED)


class RejectedRow(models.Model):
    """A source row a run did not import, with why and what it held."""

    run = models.ForeignKey(ImportRun, verbose_name="lượt nhập", on_delete=models.CASCADE,
                            related_name="rejected_rows")
    row_number = models.PositiveIntegerField("dòng số")
    external_id = models.CharField("mã ngoài", max_length=200, blank=True)
    reason = models.TextField("lý do")
    raw = models.JSONField("giá trị gốc", default=dict)

    class Meta:
        verbose_name = "dòng bị loại"
        verbose_name_plural = "dòng bị loại"
        ordering = ["run", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "row_number"], name="rejectedrow_once"),
            models.CheckConstraint(condition=Q(row_number__gte=1), name="rejectedrow_number"),
            models.CheckConstraint(condition=~Q(reason=""), name="rejectedrow_reason_set"),
        ]
