"""Sensor streams (MQTT connectors, one per source, owned by a department) and the time-stamped
observations they deliver. The database holds the invariants: topic-filter syntax, the mapping's
shape, metric codes, one value per station × metric × instant, finite values, counters ≥ 0."""
import re

from django.contrib.postgres.indexes import BrinIndex
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.lookups import Exact

from layers.models import Feature, Layer

# One MQTT topic filter: levels separated by "/", each either "+" or text without "+", "#";
# "#" only as the whole last level. No leading "$" (broker-internal $SYS topics are not ours).
TOPIC_FILTER_PATTERN = r"^(#|(\+|[^+#/$][^+#/]*)?(/(\+|[^+#/]*))*(/#)?)$"
METRIC_CODE_PATTERN = r"^[a-z][a-z0-9_]{1,62}$"


def _jsonb_type(field: str, kind: str) -> Exact:
    return Exact(Func(F(field), function="jsonb_typeof", output_field=models.TextField()),
                 Value(kind))


class Metric(models.Model):
    """A measured quantity with its unit (mực nước, m; lưu lượng xe, xe/5 phút). Streams allow a
    subset of them; `min_value`/`max_value` bound plausible readings (others are rejected)."""

    id = models.SmallAutoField(primary_key=True)
    code = models.CharField("mã", max_length=63, unique=True,
                            validators=[RegexValidator(METRIC_CODE_PATTERN)],
                            help_text="Chữ thường không dấu, số, gạch dưới: water_level_m")
    name_vi = models.CharField("tên (tiếng Việt)", max_length=120)
    name_en = models.CharField("tên (tiếng Anh)", max_length=120)
    unit = models.CharField("đơn vị", max_length=30, help_text="m, mm, xe/5 phút, °C")
    min_value = models.FloatField("giá trị nhỏ nhất hợp lệ", null=True, blank=True)
    max_value = models.FloatField("giá trị lớn nhất hợp lệ", null=True, blank=True)

    class Meta:
        verbose_name = "đại lượng đo"
        verbose_name_plural = "đại lượng đo"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=METRIC_CODE_PATTERN),
                                   name="metric_code_format"),
            models.CheckConstraint(condition=~Q(name_vi="") & ~Q(name_en="") & ~Q(unit=""),
                                   name="metric_names_set"),
            models.CheckConstraint(condition=Q(min_value__isnull=True) | Q(max_value__isnull=True)
                                   | Q(min_value__lt=F("max_value")),
                                   name="metric_range_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.name_vi} ({self.unit})"


class PayloadFormat(models.TextChoices):
    JSON = "JSON", "JSON"


class SensorStream(models.Model):
    """An MQTT subscription: which topics, how a JSON payload maps onto observations, and which
    point layer holds the stations (matched by the feature's external id). The broker is global
    (IOC_MQTT_URL).

    `mapping` (paths may be dotted, `data.level`), either one message → several metrics:
        {"station": "id", "time": "ts", "metrics": {"water_level_m": "level"}}
    or one message → one metric named in the payload (the name must be an allowed code):
        {"station": "id", "time": "ts", "metric": "kind", "value": "val"}"""

    name = models.CharField("tên", max_length=200)
    owner_department = models.CharField("đơn vị quản lý", max_length=200)
    topic_filter = models.CharField(
        "bộ lọc chủ đề MQTT", max_length=255,
        validators=[RegexValidator(TOPIC_FILTER_PATTERN,
                                   "Bộ lọc MQTT không hợp lệ: '+' là cả một cấp, '#' chỉ ở cuối.")],
        help_text="Ví dụ thanhhoa/thuy-van/+/muc-nuoc hoặc thanhhoa/dem-xe/#")
    qos = models.PositiveSmallIntegerField("QoS", default=1, choices=[(0, "0"), (1, "1"),
                                                                      (2, "2")])
    payload_format = models.CharField("định dạng bản tin", max_length=10,
                                      choices=PayloadFormat.choices, default=PayloadFormat.JSON)
    mapping = models.JSONField("ánh xạ trường", help_text=(
        '{"station": "id", "time": "ts", "metrics": {"water_level_m": "level"}} hoặc '
        '{"station": "id", "time": "ts", "metric": "loai", "value": "gia_tri"}'))
    station_layer = models.ForeignKey(
        Layer, verbose_name="lớp trạm đo", on_delete=models.PROTECT, related_name="sensor_streams",
        limit_choices_to={"geometry_kind": "POINT", "source": "FEATURES"})
    metrics = models.ManyToManyField(Metric, verbose_name="đại lượng được nhận",
                                     related_name="streams")
    expected_interval = models.DurationField("chu kỳ gửi dự kiến", null=True, blank=True)
    is_active = models.BooleanField("đang dùng", default=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "luồng dữ liệu cảm biến"
        verbose_name_plural = "luồng dữ liệu cảm biến"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name="") & ~Q(owner_department=""),
                                   name="sensorstream_names_set"),
            models.CheckConstraint(condition=Q(topic_filter__regex=TOPIC_FILTER_PATTERN)
                                   & ~Q(topic_filter=""), name="sensorstream_topic_filter"),
            models.CheckConstraint(condition=Q(qos__in=[0, 1, 2]), name="sensorstream_qos"),
            models.CheckConstraint(
                condition=_jsonb_type("mapping", "object")
                & Q(mapping__has_keys=["station", "time"])
                & ((Q(mapping__has_key="metrics") & ~Q(mapping__has_key="metric"))
                   | (~Q(mapping__has_key="metrics") & Q(mapping__has_keys=["metric", "value"]))),
                name="sensorstream_mapping_shape"),
            models.CheckConstraint(condition=Q(expected_interval__isnull=True)
                                   | Q(expected_interval__gt="0 seconds"),
                                   name="sensorstream_interval_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The mapping's paths are non-empty strings; the station layer holds points."""
        errors = mapping_errors(self.mapping) if self.mapping is not None else []
        if self.station_layer_id and (self.station_layer.geometry_kind != "POINT"
                                      or self.station_layer.source != "FEATURES"):
            errors.append("Lớp trạm đo phải là lớp điểm lưu trong kho đối tượng.")
        if errors:
            raise ValidationError({"mapping": errors})


def mapping_errors(mapping: object) -> list[str]:
    """What is wrong with a stream's mapping (empty when usable)."""
    if not isinstance(mapping, dict):
        return ["Ánh xạ phải là một đối tượng JSON."]
    errors = []
    wide = "metrics" in mapping
    paths = ["station", "time"] + ([] if wide else ["metric", "value"])
    for key in paths:
        if not isinstance(mapping.get(key), str) or not mapping[key].strip():
            errors.append(f"'{key}': cần tên trường (chuỗi) trong bản tin.")
    if wide:
        metrics = mapping["metrics"]
        if "metric" in mapping or "value" in mapping:
            errors.append("Dùng 'metrics' hoặc 'metric'+'value', không dùng cả hai.")
        if not isinstance(metrics, dict) or not metrics:
            errors.append("'metrics': cần {\"mã đại lượng\": \"trường\"}.")
        else:
            for code, path in metrics.items():
                if not re.match(METRIC_CODE_PATTERN, str(code)):
                    errors.append(f"'{code}' không phải mã đại lượng hợp lệ.")
                if not isinstance(path, str) or not path.strip():
                    errors.append(f"'{code}': cần tên trường (chuỗi).")
    unknown = set(mapping) - {"station", "time", "metrics", "metric", "value"}
    if unknown:
        errors.append(f"Khóa không dùng: {', '.join(sorted(unknown))}.")
    return errors


class StreamStats(models.Model):
    """Liveness of a stream, updated in the transaction of every batch: when a message last came,
    when the last valid one came (and the instant it measured), and running counts."""

    stream = models.OneToOneField(SensorStream, verbose_name="luồng", primary_key=True,
                                  on_delete=models.CASCADE, related_name="stats")
    last_message_at = models.DateTimeField("bản tin gần nhất lúc", null=True, blank=True)
    last_accepted_at = models.DateTimeField("bản tin hợp lệ gần nhất lúc", null=True, blank=True)
    last_observed_at = models.DateTimeField("thời điểm đo mới nhất", null=True, blank=True)
    last_rejected_at = models.DateTimeField("bản tin bị loại gần nhất lúc", null=True,
                                            blank=True)
    messages_accepted = models.PositiveBigIntegerField("bản tin nhận", default=0)
    messages_rejected = models.PositiveBigIntegerField("bản tin bị loại", default=0)
    observations_inserted = models.PositiveBigIntegerField("quan trắc thêm mới", default=0)
    observations_updated = models.PositiveBigIntegerField("quan trắc cập nhật", default=0)
    observations_unchanged = models.PositiveBigIntegerField("quan trắc không đổi", default=0)

    class Meta:
        verbose_name = "tình trạng luồng"
        verbose_name_plural = "tình trạng luồng"


class Observation(models.Model):
    """One measured value of one metric at one station and instant. Unique per station × metric
    × instant: a redelivered message finds its rows and changes nothing; a corrected value for
    the same instant replaces the stored one (the sensor's later word wins)."""

    stream = models.ForeignKey(SensorStream, verbose_name="luồng", on_delete=models.PROTECT,
                               related_name="observations")
    station = models.ForeignKey(Feature, verbose_name="trạm", on_delete=models.CASCADE,
                                related_name="observations")
    metric = models.ForeignKey(Metric, verbose_name="đại lượng", on_delete=models.PROTECT,
                               related_name="observations")
    value = models.FloatField("giá trị")
    observed_at = models.DateTimeField("thời điểm đo")
    received_at = models.DateTimeField("nhận lúc")

    class Meta:
        verbose_name = "quan trắc"
        verbose_name_plural = "quan trắc"
        constraints = [
            # Also the index of every series read: station = ? AND metric = ? AND time range.
            models.UniqueConstraint(fields=["station", "metric", "observed_at"],
                                    name="observation_once_per_instant"),
            # PostgreSQL sorts NaN above +Infinity, so this also refuses NaN.
            models.CheckConstraint(condition=Q(value__gt=float("-inf"), value__lt=float("inf")),
                                   name="observation_value_finite"),
        ]
        indexes = [
            # Rows arrive roughly in time order: a BRIN index is tiny and serves stream-wide or
            # province-wide time windows (a btree would be as large as a column of the table).
            BrinIndex(fields=["observed_at"], name="observation_time_brin"),
        ]


class ObservationLatest(models.Model):
    """The newest observation per station × metric, kept by the same statement that writes the
    observations, so "latest values of a layer" reads one row per station and metric."""

    station = models.ForeignKey(Feature, verbose_name="trạm", on_delete=models.CASCADE,
                                related_name="latest_observations")
    metric = models.ForeignKey(Metric, verbose_name="đại lượng", on_delete=models.PROTECT,
                               related_name="+")
    stream = models.ForeignKey(SensorStream, verbose_name="luồng", on_delete=models.CASCADE,
                               related_name="+")
    value = models.FloatField("giá trị")
    observed_at = models.DateTimeField("thời điểm đo")
    received_at = models.DateTimeField("nhận lúc")

    class Meta:
        verbose_name = "quan trắc mới nhất"
        verbose_name_plural = "quan trắc mới nhất"
        constraints = [models.UniqueConstraint(fields=["station", "metric"],
                                               name="observation_latest_once")]


class RejectReason(models.TextChoices):
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE", "Bản tin quá lớn"
    INVALID_JSON = "INVALID_JSON", "Không phải JSON (đối tượng)"
    STATION_MISSING = "STATION_MISSING", "Thiếu mã trạm"
    UNKNOWN_STATION = "UNKNOWN_STATION", "Trạm không có trong lớp trạm đo"
    TIME_MISSING = "TIME_MISSING", "Thiếu thời điểm đo"
    TIME_INVALID = "TIME_INVALID", "Thời điểm đo không đọc được"
    TIME_IN_FUTURE = "TIME_IN_FUTURE", "Thời điểm đo ở tương lai"
    TIME_TOO_OLD = "TIME_TOO_OLD", "Thời điểm đo quá cũ"
    METRIC_NOT_MAPPED = "METRIC_NOT_MAPPED", "Đại lượng không có trong ánh xạ"
    VALUE_NOT_NUMBER = "VALUE_NOT_NUMBER", "Giá trị không phải số"
    VALUE_OUT_OF_RANGE = "VALUE_OUT_OF_RANGE", "Giá trị ngoài khoảng hợp lệ"
    WRITE_FAILED = "WRITE_FAILED", "Cơ sở dữ liệu từ chối ghi"


class RejectedMessage(models.Model):
    """A message a stream did not turn into observations, with why and (the start of) what it
    held. Bounded: only the newest IOC_MQTT_REJECTED_KEEP per stream are kept."""

    stream = models.ForeignKey(SensorStream, verbose_name="luồng", on_delete=models.CASCADE,
                               related_name="rejected_messages")
    received_at = models.DateTimeField("nhận lúc")
    topic = models.CharField("chủ đề", max_length=1000)
    reason = models.CharField("lý do", max_length=20, choices=RejectReason.choices)
    detail = models.CharField("chi tiết", max_length=500, blank=True)
    payload = models.TextField("nội dung (trích)", blank=True)

    class Meta:
        verbose_name = "bản tin bị loại"
        verbose_name_plural = "bản tin bị loại"
        ordering = ["-id"]
        indexes = [models.Index(fields=["stream", "-id"], name="rejectedmessage_stream")]
        constraints = [models.CheckConstraint(condition=Q(reason__in=RejectReason.values),
                                              name="rejectedmessage_reason_known")]
