"""The layer registry: one row per spatial layer. Slugs are the allow-list that every URL,
tile and export resolves through; no identifier from a request reaches SQL."""
from django.db import models
from django.db.models import F, Q


RESERVED_SLUGS = ("style", "basemap", "glyphs", "raster", "sprites")


class Sector(models.TextChoices):
    ADMIN = "ADMIN", "Hành chính"
    SOCIO_ECONOMIC = "SOCIO_ECONOMIC", "Kinh tế - xã hội"
    GOVERNMENT = "GOVERNMENT", "Chỉ đạo điều hành, dịch vụ công"
    SECURITY = "SECURITY", "An ninh trật tự"
    TRAFFIC = "TRAFFIC", "Giao thông"
    HEALTH = "HEALTH", "Y tế"
    EDUCATION = "EDUCATION", "Giáo dục"
    TOURISM = "TOURISM", "Du lịch"
    PRESS = "PRESS", "Báo chí, mạng xã hội"
    CYBER = "CYBER", "An toàn thông tin"
    CITIZEN = "CITIZEN", "Tương tác người dân"


class GeometryKind(models.TextChoices):
    POINT = "POINT", "Điểm"
    LINE = "LINE", "Đường"
    POLYGON = "POLYGON", "Vùng"


class LayerSource(models.TextChoices):
    FEATURES = "FEATURES", "Kho đối tượng (features)"
    ADMIN_UNITS = "ADMIN_UNITS", "Đơn vị hành chính"


class Layer(models.Model):
    """A spatial layer: what it holds, who owns it, how it is drawn and which properties are public.

    `property_schema` is a JSON Schema (draft 2020-12) for the features' properties; each property
    carries `"x-public": true|false`, and only public properties leave through public APIs and tiles.
    """

    slug = models.SlugField("mã lớp", max_length=63, unique=True)
    title_vi = models.CharField("tên (tiếng Việt)", max_length=200)
    title_en = models.CharField("tên (tiếng Anh)", max_length=200)
    description_vi = models.TextField("mô tả", blank=True)
    sector = models.CharField("lĩnh vực", max_length=20, choices=Sector.choices)
    geometry_kind = models.CharField("kiểu hình học", max_length=10, choices=GeometryKind.choices)
    source = models.CharField("nguồn dữ liệu", max_length=12, choices=LayerSource.choices,
                              default=LayerSource.FEATURES)
    property_schema = models.JSONField("lược đồ thuộc tính", default=dict)
    default_style = models.JSONField("kiểu hiển thị mặc định", default=dict, blank=True)
    min_zoom = models.PositiveSmallIntegerField("mức zoom nhỏ nhất", default=0)
    max_zoom = models.PositiveSmallIntegerField("mức zoom lớn nhất", default=22)
    owner_department = models.CharField("đơn vị quản lý", max_length=200)
    update_interval = models.DurationField("chu kỳ cập nhật", null=True, blank=True)
    is_public = models.BooleanField("công khai", default=True)
    is_temporal = models.BooleanField("theo thời gian", default=False,
                                      help_text="Đối tượng là sự kiện có thời điểm xảy ra")
    attribution = models.CharField("ghi công nguồn", max_length=300, blank=True)
    # Tile rendering (issue 4): dense point layers are drawn as grid clusters below this zoom,
    # coloured by their category; `status` filters incidents. Both name public enum properties.
    aggregate_below_zoom = models.PositiveSmallIntegerField(
        "gom cụm dưới mức zoom", null=True, blank=True,
        help_text="Lớp điểm dày: dưới mức zoom này, bản đồ vẽ ô lưới có số đếm")
    category_property = models.CharField("thuộc tính phân loại", max_length=63, blank=True)
    status_property = models.CharField("thuộc tính tình trạng", max_length=63, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "lớp bản đồ"
        verbose_name_plural = "lớp bản đồ"
        ordering = ["sector", "slug"]
        constraints = [
            models.CheckConstraint(condition=Q(slug__regex=r"^[a-z][a-z0-9-]{1,62}$"),
                                   name="layer_slug_format"),
            models.CheckConstraint(
                condition=Q(min_zoom__lte=F("max_zoom"), max_zoom__lte=24),
                name="layer_zoom_range",
            ),
            # These names are tile endpoints of their own (/tiles/style.json, /tiles/basemap/…).
            models.CheckConstraint(condition=~Q(slug__in=RESERVED_SLUGS),
                                   name="layer_slug_not_reserved"),
            models.CheckConstraint(
                condition=Q(aggregate_below_zoom__isnull=True)
                | Q(geometry_kind="POINT", aggregate_below_zoom__gt=F("min_zoom"),
                    aggregate_below_zoom__lte=F("max_zoom")),
                name="layer_aggregation_points_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title_vi} ({self.slug})"

    def clean(self) -> None:
        """Category and status must name public code-list properties of the schema."""
        from django.core.exceptions import ValidationError

        props = (self.property_schema or {}).get("properties", {})
        errors = {}
        for field in ("category_property", "status_property"):
            name = getattr(self, field)
            spec = props.get(name) if name else None
            if name and (spec is None or spec.get("x-public") is not True or "enum" not in spec):
                errors[field] = "Phải là thuộc tính công khai có danh mục mã (enum) trong lược đồ."
        if errors:
            raise ValidationError(errors)

    def enum_codes(self, name: str) -> list[str]:
        """Codes of a code-list property (empty when `name` is not one)."""
        spec = (self.property_schema or {}).get("properties", {}).get(name) or {}
        return [str(code) for code in spec.get("enum", [])]

    def public_property_names(self) -> list[str]:
        """Names of the properties marked `"x-public": true` in the schema, in schema order."""
        props = (self.property_schema or {}).get("properties", {})
        return [name for name, spec in props.items() if spec.get("x-public") is True]
