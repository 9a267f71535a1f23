"""Raster layers and their zonal statistics.

`RasterLayer` is the registry row of one uploaded GeoTIFF, kept as a Cloud-Optimised GeoTIFF in
its own CRS under a generated name (ADR 0013). `ZonalStat` holds per administrative unit version
and generation the statistics of its cells; `ZonalMeasure` configures a derived figure (a value
raster, optionally only where a mask raster reaches a threshold, aggregated one way) and
`MeasureValue` holds it per unit — e.g. "people in the flood-hazard zone per commune"."""
from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.db.models import F, Func, Q
from django.db.models.lookups import GreaterThanOrEqual

from layers.models import AdminUnit, Sector
from layers.models.layer import RESERVED_SLUGS

from .ramps import RAMP_CHOICES, RampMode

SLUG_REGEX = r"^[a-z][a-z0-9-]{1,62}$"


class ValueKind(models.TextChoices):
    """What a cell's value is; it decides which aggregations mean something."""

    LEVEL = "LEVEL", "Mức / cấp (độ cao, cấp nguy cơ): không cộng dồn"
    COUNT = "COUNT", "Số lượng trong ô (cộng các ô)"
    DENSITY = "DENSITY", "Mật độ trên km² (nhân diện tích ô rồi cộng)"


class RampModeChoice(models.TextChoices):
    LINEAR = RampMode.LINEAR, "Liên tục (nội suy giữa các mốc)"
    STEP = RampMode.STEP, "Theo cấp (từ mốc này tới mốc sau)"


class ZonalStatus(models.TextChoices):
    PENDING = "PENDING", "Đang chờ"
    RUNNING = "RUNNING", "Đang tính"
    DONE = "DONE", "Đã tính"
    FAILED = "FAILED", "Lỗi"


class Generation(models.TextChoices):
    """The unit generations of the drill-down (layers.stats.GENERATIONS)."""

    CURRENT = "current", "Hiện hành (từ 1/7/2025)"
    PRE2025 = "pre2025", "Trước sắp xếp (đến 30/6/2025)"


class Cardinality(Func):
    function = "cardinality"
    output_field = models.IntegerField()


class RasterLayer(models.Model):
    """One raster layer: what its values mean, how it is drawn, who may see it, and the COG."""

    slug = models.SlugField("mã lớp", max_length=63, unique=True)
    title_vi = models.CharField("tên (tiếng Việt)", max_length=200)
    title_en = models.CharField("tên (tiếng Anh)", max_length=200)
    description_vi = models.TextField("mô tả", blank=True)
    sector = models.CharField("lĩnh vực", max_length=20, choices=Sector.choices)
    value_kind = models.CharField("loại giá trị", max_length=10, choices=ValueKind.choices)
    value_description_vi = models.CharField("ý nghĩa giá trị", max_length=300)
    value_unit = models.CharField("đơn vị giá trị", max_length=40, blank=True,
                                  help_text="vd. người/km², m, cấp")
    ramp = models.CharField("thang màu", max_length=20, choices=RAMP_CHOICES)
    ramp_stops = ArrayField(models.FloatField(), verbose_name="mốc giá trị của thang màu",
                            help_text="Tăng dần, đúng số màu của thang")
    ramp_mode = models.CharField("kiểu tô màu", max_length=6, choices=RampModeChoice.choices,
                                 default=RampModeChoice.LINEAR)
    nodata = models.FloatField("giá trị không có dữ liệu", null=True, blank=True)
    is_public = models.BooleanField("công khai", default=False)
    owner_department = models.CharField("đơn vị quản lý", max_length=200)
    attribution = models.CharField("ghi công nguồn", max_length=300, blank=True)
    # The stored file and what was read from it (never edited by hand).
    file_name = models.CharField("tệp COG", max_length=120, unique=True, editable=False,
                                 help_text="Tên do hệ thống đặt, trong thư mục raster")
    file_size = models.BigIntegerField("dung lượng (byte)", editable=False)
    file_sha256 = models.CharField("SHA-256 tệp COG", max_length=64, editable=False)
    source_sha256 = models.CharField("SHA-256 tệp tải lên", max_length=64, editable=False)
    source_name = models.CharField("tên tệp tải lên", max_length=255, blank=True, editable=False)
    crs = models.TextField("hệ tọa độ", editable=False)
    width = models.PositiveIntegerField("số cột", editable=False)
    height = models.PositiveIntegerField("số hàng", editable=False)
    res_x = models.FloatField("độ phân giải X (đơn vị CRS)", editable=False)
    res_y = models.FloatField("độ phân giải Y (đơn vị CRS)", editable=False)
    dtype = models.CharField("kiểu dữ liệu", max_length=12, editable=False)
    extent = models.PolygonField("phạm vi (WGS84)", srid=4326, editable=False)
    max_zoom = models.PositiveSmallIntegerField("mức zoom chi tiết nhất", editable=False)
    valid_cells = models.BigIntegerField("số ô có dữ liệu", editable=False)
    band_min = models.FloatField("nhỏ nhất", null=True, editable=False)
    band_max = models.FloatField("lớn nhất", null=True, editable=False)
    band_mean = models.FloatField("trung bình", null=True, editable=False)
    band_std = models.FloatField("độ lệch chuẩn", null=True, editable=False)
    zonal_status = models.CharField("thống kê theo đơn vị", max_length=8,
                                    choices=ZonalStatus.choices, default=ZonalStatus.PENDING,
                                    editable=False)
    zonal_message = models.TextField("ghi chú thống kê", blank=True, editable=False)
    zonal_computed_at = models.DateTimeField("tính lúc", null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người tải lên",
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "lớp raster"
        verbose_name_plural = "lớp raster"
        ordering = ["sector", "slug"]
        constraints = [
            models.CheckConstraint(condition=Q(slug__regex=SLUG_REGEX),
                                   name="raster_slug_format"),
            models.CheckConstraint(condition=~Q(slug__in=RESERVED_SLUGS),
                                   name="raster_slug_not_reserved"),
            models.CheckConstraint(condition=Q(file_name__regex=r"^[a-z0-9-]+-[0-9a-f]{16}\.tif$"),
                                   name="raster_file_name_generated"),
            models.CheckConstraint(condition=Q(width__gt=0, height__gt=0, res_x__gt=0,
                                               res_y__gt=0, file_size__gt=0, valid_cells__gte=0),
                                   name="raster_dimensions_positive"),
            models.CheckConstraint(condition=Q(max_zoom__lte=24), name="raster_max_zoom_range"),
            # array_length() of an empty array is NULL, which a CHECK lets through: cardinality.
            models.CheckConstraint(condition=GreaterThanOrEqual(Cardinality("ramp_stops"), 2),
                                   name="raster_ramp_two_stops_or_more"),
            models.CheckConstraint(
                condition=Q(valid_cells=0, band_min__isnull=True)
                | Q(valid_cells__gt=0, band_min__lte=F("band_max"), band_mean__gte=F("band_min"),
                    band_mean__lte=F("band_max")),
                name="raster_band_stats_consistent"),
            models.CheckConstraint(
                condition=Q(zonal_status=ZonalStatus.DONE, zonal_computed_at__isnull=False)
                | ~Q(zonal_status=ZonalStatus.DONE), name="raster_zonal_done_has_time"),
        ]

    def __str__(self) -> str:
        return f"{self.title_vi} ({self.slug})"

    def clean(self) -> None:
        """The stops must fit the ramp (count, ascending)."""
        from django.core.exceptions import ValidationError

        from .ramps import stops_problem

        problem = stops_problem(self.ramp, list(self.ramp_stops or []))
        if problem:
            raise ValidationError({"ramp_stops": problem})


class ZonalStat(models.Model):
    """The cells of one raster inside one unit version, for one generation: a cell belongs to a
    unit when its centre lies inside the unit's outline (valid cells only)."""

    raster = models.ForeignKey(RasterLayer, on_delete=models.CASCADE, related_name="zonal_stats")
    unit = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="+")
    generation = models.CharField("thế hệ đơn vị", max_length=8, choices=Generation.choices)
    units_on = models.DateField("đơn vị theo ngày")
    cells = models.BigIntegerField("số ô có dữ liệu")
    sum = models.FloatField("tổng giá trị ô", null=True)
    mean = models.FloatField("trung bình", null=True)
    min = models.FloatField("nhỏ nhất", null=True)
    max = models.FloatField("lớn nhất", null=True)
    area_km2 = models.FloatField("diện tích có dữ liệu (km²)")
    computed_at = models.DateTimeField("tính lúc", auto_now=True)

    class Meta:
        verbose_name = "thống kê raster theo đơn vị"
        verbose_name_plural = "thống kê raster theo đơn vị"
        constraints = [
            models.UniqueConstraint(fields=["raster", "unit", "generation"],
                                    name="zonalstat_one_per_unit_generation"),
            models.CheckConstraint(
                condition=Q(cells=0, sum__isnull=True, mean__isnull=True, min__isnull=True,
                            max__isnull=True, area_km2=0)
                | Q(cells__gt=0, sum__isnull=False, min__lte=F("mean"), mean__lte=F("max"),
                    area_km2__gt=0),
                name="zonalstat_figures_consistent"),
        ]
        indexes = [models.Index(fields=["raster", "generation"], name="zonalstat_raster_gen")]


class Aggregation(models.TextChoices):
    TOTAL = "TOTAL", "Tổng lượng (số lượng cộng; mật độ × diện tích)"
    MEAN = "MEAN", "Trung bình ô"
    MAX = "MAX", "Lớn nhất"
    AREA = "AREA", "Diện tích (km²)"


class ZonalMeasure(models.Model):
    """A figure per unit from a value raster, counted only where the mask raster (resampled to
    the value raster's cells, nearest) is at least `mask_threshold`; e.g. population (value,
    DENSITY, TOTAL) where the flood hazard level (mask) ≥ 2."""

    slug = models.SlugField("mã", max_length=63, unique=True)
    title_vi = models.CharField("tên (tiếng Việt)", max_length=200)
    title_en = models.CharField("tên (tiếng Anh)", max_length=200)
    value_raster = models.ForeignKey(RasterLayer, verbose_name="raster giá trị",
                                     on_delete=models.CASCADE, related_name="measures")
    mask_raster = models.ForeignKey(RasterLayer, verbose_name="raster vùng", null=True,
                                    blank=True, on_delete=models.CASCADE, related_name="+")
    mask_threshold = models.FloatField("ngưỡng vùng (≥)", null=True, blank=True)
    aggregation = models.CharField("cách tính", max_length=5, choices=Aggregation.choices)
    unit_vi = models.CharField("đơn vị (tiếng Việt)", max_length=40, blank=True)
    unit_en = models.CharField("đơn vị (tiếng Anh)", max_length=40, blank=True)
    decimals = models.PositiveSmallIntegerField("số chữ số thập phân", default=0)
    position = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "chỉ tiêu theo đơn vị"
        verbose_name_plural = "chỉ tiêu theo đơn vị"
        ordering = ["position", "slug"]
        constraints = [
            models.CheckConstraint(condition=Q(slug__regex=SLUG_REGEX),
                                   name="zonalmeasure_slug_format"),
            models.CheckConstraint(
                condition=Q(mask_raster__isnull=True, mask_threshold__isnull=True)
                | Q(mask_raster__isnull=False, mask_threshold__isnull=False),
                name="zonalmeasure_mask_with_threshold"),
            models.CheckConstraint(condition=Q(decimals__lte=3), name="zonalmeasure_decimals"),
        ]

    def __str__(self) -> str:
        return f"{self.title_vi} ({self.slug})"

    def clean(self) -> None:
        """A LEVEL raster has no total (summing elevations means nothing)."""
        from django.core.exceptions import ValidationError

        if (self.aggregation == Aggregation.TOTAL and self.value_raster_id
                and self.value_raster.value_kind == ValueKind.LEVEL):
            raise ValidationError({"aggregation": "Raster “mức / cấp” không có tổng lượng."})


class MeasureValue(models.Model):
    """A measure's figure for one unit version and generation. `value` is None when the unit
    holds no valid cell of the value raster (no data), 0 when it does but none is in the zone."""

    measure = models.ForeignKey(ZonalMeasure, on_delete=models.CASCADE, related_name="values")
    unit = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="+")
    generation = models.CharField("thế hệ đơn vị", max_length=8, choices=Generation.choices)
    units_on = models.DateField("đơn vị theo ngày")
    value = models.FloatField("giá trị", null=True)
    cells = models.BigIntegerField("số ô có dữ liệu")
    zone_cells = models.BigIntegerField("số ô trong vùng")
    computed_at = models.DateTimeField("tính lúc", auto_now=True)

    class Meta:
        verbose_name = "giá trị chỉ tiêu"
        verbose_name_plural = "giá trị chỉ tiêu"
        constraints = [
            models.UniqueConstraint(fields=["measure", "unit", "generation"],
                                    name="measurevalue_one_per_unit_generation"),
            models.CheckConstraint(condition=Q(zone_cells__gte=0, zone_cells__lte=F("cells")),
                                   name="measurevalue_zone_within_cells"),
        ]
