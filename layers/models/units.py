"""Administrative units, versioned: a unit's identity is its code plus its validity period,
because codes are reused across generations (Phường Hàm Rồng after 2025 carries 14758, the
code of Phường Đông Thọ before). See docs/adr/0002-admin-unit-versioning.md."""
from django.contrib.gis.db import models
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.contrib.postgres.indexes import GinIndex, GistIndex, OpClass
from django.db.models import F, Q

from .expressions import DateRange, Fold, web_mercator


class AdminLevel(models.TextChoices):
    PROVINCE = "PROVINCE", "Cấp tỉnh"
    DISTRICT = "DISTRICT", "Cấp huyện"
    COMMUNE = "COMMUNE", "Cấp xã"


class DivisionType(models.TextChoices):
    TINH = "TINH", "Tỉnh"
    THANH_PHO_TW = "THANH_PHO_TW", "Thành phố trực thuộc Trung ương"
    THANH_PHO = "THANH_PHO", "Thành phố"
    THI_XA = "THI_XA", "Thị xã"
    HUYEN = "HUYEN", "Huyện"
    PHUONG = "PHUONG", "Phường"
    XA = "XA", "Xã"
    THI_TRAN = "THI_TRAN", "Thị trấn"
    DAC_KHU = "DAC_KHU", "Đặc khu"


DIVISION_TYPES_BY_LEVEL = {
    AdminLevel.PROVINCE: [DivisionType.TINH, DivisionType.THANH_PHO_TW],
    AdminLevel.DISTRICT: [DivisionType.THANH_PHO, DivisionType.THI_XA, DivisionType.HUYEN],
    AdminLevel.COMMUNE: [DivisionType.PHUONG, DivisionType.XA, DivisionType.THI_TRAN,
                         DivisionType.DAC_KHU],
}
CODE_DIGITS_BY_LEVEL = {AdminLevel.PROVINCE: 2, AdminLevel.DISTRICT: 3, AdminLevel.COMMUNE: 5}


def _level_rules() -> Q:
    rule = Q()
    for level, types in DIVISION_TYPES_BY_LEVEL.items():
        digits = CODE_DIGITS_BY_LEVEL[level]
        rule |= Q(level=level, division_type__in=types, code__regex=rf"^[0-9]{{{digits}}}$")
    return rule


class AdminUnit(models.Model):
    """One version of a province, district or commune: its name, parent and shape while valid."""

    code = models.CharField("mã", max_length=5, help_text="Mã GSO, chuỗi số có số 0 đứng đầu")
    level = models.CharField("cấp", max_length=10, choices=AdminLevel.choices)
    division_type = models.CharField("loại đơn vị", max_length=16, choices=DivisionType.choices)
    name = models.CharField("tên", max_length=120)
    search_name = models.GeneratedField(
        expression=Fold(F("name")), output_field=models.TextField(), db_persist=True,
        verbose_name="tên không dấu",
    )
    parent = models.ForeignKey(
        "self", verbose_name="đơn vị cấp trên", null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    valid_from = models.DateField("hiệu lực từ", null=True, blank=True,
                                  help_text="Để trống: có hiệu lực từ trước khi có dữ liệu")
    valid_to = models.DateField("hết hiệu lực từ", null=True, blank=True,
                                help_text="Ngày đầu tiên không còn hiệu lực; để trống: đang hiệu lực")
    geom = models.MultiPolygonField("ranh giới", srid=4326)
    geom_3857 = models.GeneratedField(
        expression=web_mercator("geom"), output_field=models.MultiPolygonField(srid=3857),
        db_persist=True,
    )
    is_approximate = models.BooleanField(
        "ranh giới gần đúng", default=False,
        help_text="Ranh giới mô phỏng cho demo, không phải ranh giới pháp lý",
    )
    population = models.PositiveIntegerField("dân số", null=True, blank=True)
    area_km2 = models.FloatField("diện tích (km²)", null=True, blank=True)
    source = models.CharField("nguồn", max_length=200, blank=True)
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "đơn vị hành chính"
        verbose_name_plural = "đơn vị hành chính"
        ordering = ["level", "code", "valid_from"]
        constraints = [
            models.CheckConstraint(condition=_level_rules(), name="adminunit_level_type_code"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True)
                | Q(valid_from__lt=F("valid_to")),
                name="adminunit_validity_order",
            ),
            models.CheckConstraint(
                condition=Q(level=AdminLevel.PROVINCE, parent__isnull=True)
                | (~Q(level=AdminLevel.PROVINCE) & Q(parent__isnull=False)),
                name="adminunit_parent_by_level",
            ),
            models.CheckConstraint(condition=Q(geom__isvalid=True), name="adminunit_geom_valid"),
            # Two versions of the same unit never overlap in time.
            ExclusionConstraint(
                name="adminunit_one_version_at_a_time",
                expressions=[
                    ("level", RangeOperators.EQUAL),
                    ("code", RangeOperators.EQUAL),
                    (DateRange("valid_from", "valid_to"), RangeOperators.OVERLAPS),
                ],
            ),
        ]
        indexes = [
            GistIndex(fields=["geom_3857"], name="adminunit_geom_3857_gist"),
            GinIndex(OpClass(F("search_name"), name="gin_trgm_ops"), name="adminunit_search_trgm"),
            models.Index(fields=["level", "code"], name="adminunit_level_code"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code}, {self.validity_label})"

    @property
    def validity_label(self) -> str:
        """'…–2025-07-01' style label of the validity period."""
        start = self.valid_from.isoformat() if self.valid_from else "…"
        end = self.valid_to.isoformat() if self.valid_to else "nay"
        return f"{start}–{end}"

    def is_valid_on(self, day) -> bool:
        """True when this version is in force on `day`."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day < self.valid_to)


class ChangeType(models.TextChoices):
    MERGED_WHOLE = "MERGED_WHOLE", "Nhập toàn bộ"
    MERGED_PART = "MERGED_PART", "Nhập một phần"
    UNCHANGED = "UNCHANGED", "Giữ nguyên"
    TYPE_CHANGED = "TYPE_CHANGED", "Đổi loại đơn vị"


class UnitCrosswalk(models.Model):
    """One row of an official old→new conversion table: (part of) an old unit went into a new one."""

    old_unit = models.ForeignKey(AdminUnit, verbose_name="đơn vị cũ", on_delete=models.CASCADE,
                                 related_name="crosswalk_to")
    new_unit = models.ForeignKey(AdminUnit, verbose_name="đơn vị mới", on_delete=models.CASCADE,
                                 related_name="crosswalk_from")
    effective = models.DateField("ngày hiệu lực")
    change_type = models.CharField("hình thức", max_length=16, choices=ChangeType.choices)
    area_share = models.FloatField(
        "tỷ lệ diện tích", null=True, blank=True,
        help_text="Phần diện tích của đơn vị cũ chuyển sang đơn vị mới (0–1), dùng để phân bổ số liệu",
    )
    is_inferred = models.BooleanField(
        "suy luận", default=False, help_text="Không có trong văn bản gốc; suy ra cho demo")
    source = models.CharField("nguồn", max_length=200, blank=True)

    class Meta:
        verbose_name = "bảng chuyển đổi đơn vị"
        verbose_name_plural = "bảng chuyển đổi đơn vị"
        constraints = [
            models.UniqueConstraint(fields=["old_unit", "new_unit"], name="crosswalk_unique_pair"),
            models.CheckConstraint(
                condition=Q(area_share__isnull=True) | Q(area_share__gt=0, area_share__lte=1),
                name="crosswalk_area_share_range",
            ),
            models.CheckConstraint(condition=~Q(old_unit=F("new_unit")),
                                   name="crosswalk_distinct_units"),
        ]

    def __str__(self) -> str:
        return f"{self.old_unit.name} → {self.new_unit.name}"
