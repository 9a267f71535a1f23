"""Who may see and do what: roles (Django groups), jurisdictions (units and sectors a user or
token is bound to) and API tokens for integration clients."""
import hashlib

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from layers.models import AdminUnit, Sector


class Role(models.TextChoices):
    """Seeded groups. The code is the Django group's name."""

    PROVINCE_LEADER = "province_leader", "Lãnh đạo tỉnh"
    SECTOR_OPERATOR = "sector_operator", "Cán bộ vận hành ngành"
    UNIT_OFFICIAL = "unit_official", "Cán bộ cấp huyện/xã"
    FIELD_STAFF = "field_staff", "Cán bộ hiện trường"
    PLANNER = "planner", "Chuyên viên quy hoạch, phân tích"
    WALL_DISPLAY = "wall_display", "Màn hình điều hành (kiosk)"
    INTEGRATION_CLIENT = "integration_client", "Hệ thống tích hợp"
    ADMINISTRATOR = "administrator", "Quản trị hệ thống"
    CITIZEN = "citizen", "Người dân"


class Jurisdiction(models.Model):
    """The ground and sectors a staff user acts on. No row: no jurisdiction (public data only),
    unless the role is province-wide by nature (leader, planner, wall display, administrator)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="người dùng",
                                on_delete=models.CASCADE, related_name="jurisdiction")
    units = models.ManyToManyField(
        AdminUnit, verbose_name="đơn vị hành chính", blank=True, related_name="+",
        help_text="Phạm vi bao gồm các đơn vị cấp dưới; đơn vị trước 1/7/2025 vẫn giữ nguyên "
                  "phạm vi địa lý sau sắp xếp (xem ADR 0005)")
    sectors = ArrayField(models.CharField(max_length=20, choices=Sector.choices),
                         verbose_name="lĩnh vực", default=list, blank=True,
                         help_text="Để trống: mọi lĩnh vực")

    class Meta:
        verbose_name = "phạm vi quản lý"
        verbose_name_plural = "phạm vi quản lý"
        permissions = [
            ("province_wide", "Phạm vi toàn tỉnh (không giới hạn theo đơn vị)"),
            ("view_private_properties", "Xem thuộc tính không công khai"),
            ("export_data", "Xuất dữ liệu"),
        ]

    def __str__(self) -> str:
        return f"Phạm vi của {self.user}"


TOKEN_PREFIX_LENGTH = 8
# open311:write — create Open311 GeoReport v2 service requests with `api_key` (open311/).
SCOPE_PATTERN = (r"^(layers:read|layers:write:[a-z][a-z0-9-]{1,62}|reports:submit|units:read"
                 r"|open311:write)$")


class ApiToken(models.Model):
    """A bearer token of an integration client. Only a SHA-256 digest of the secret is kept;
    the key is shown once, when created. Scopes say what it may do; units/sectors narrow where."""

    name = models.CharField("tên", max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="tài khoản hệ thống",
                             on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField("tiền tố", max_length=TOKEN_PREFIX_LENGTH, unique=True,
                              editable=False)
    digest = models.CharField("mã băm", max_length=64, editable=False)
    scopes = ArrayField(models.CharField(max_length=80), verbose_name="quyền", default=list,
                        help_text="layers:read, layers:write:<lớp>, reports:submit, units:read")
    units = models.ManyToManyField(AdminUnit, verbose_name="đơn vị hành chính", blank=True,
                                   related_name="+", help_text="Để trống: toàn tỉnh")
    sectors = ArrayField(models.CharField(max_length=20, choices=Sector.choices),
                         verbose_name="lĩnh vực", default=list, blank=True)
    expires_at = models.DateTimeField("hết hạn lúc")
    last_used_at = models.DateTimeField("dùng lần cuối", null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "khóa API"
        verbose_name_plural = "khóa API"
        constraints = [
            models.CheckConstraint(condition=Q(prefix__regex=r"^[A-Za-z0-9_-]{8}$"),
                                   name="apitoken_prefix_format"),
            models.CheckConstraint(condition=Q(digest__regex=r"^[0-9a-f]{64}$"),
                                   name="apitoken_digest_format"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(secret: str) -> str:
        """SHA-256 of a token's secret part (random, high-entropy: no slow hash needed)."""
        return hashlib.sha256(secret.encode()).hexdigest()

    @property
    def is_expired(self) -> bool:
        """True once the expiry time has passed."""
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        """Usable: neither revoked nor expired."""
        return self.revoked_at is None and not self.is_expired
