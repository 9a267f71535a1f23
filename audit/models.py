"""The audit trail: one append-only event table per audited model, written by database triggers.

Audited models are tracked through proxies declared here, so their triggers and migrations live
in this app and the owning apps (layers, auth) need no change. To audit another model, add a
proxy and an `audit_event_model(...)` line below, then `manage.py makemigrations audit`.
"""
import pgtrigger
from django.contrib.auth.models import Group, User
from django.db import models
from pghistory.models import Context

from access.models import ApiToken, Jurisdiction
from layers.models import AdminUnit, Feature, Layer, UnitCrosswalk

from .events import RefuseChange, audit_event_model
from .log import AuditLogQuerySet


# ---- audited models (proxies: same tables, triggers owned by this app) ----------------------

class TrackedFeature(Feature):
    """Features (layers_feature), audited."""

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "đối tượng bản đồ"


class TrackedLayer(Layer):
    """Layers (layers_layer), audited."""

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "lớp bản đồ"


class TrackedAdminUnit(AdminUnit):
    """Administrative unit versions (layers_adminunit), audited."""

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "đơn vị hành chính"


class TrackedUnitCrosswalk(UnitCrosswalk):
    """Crosswalk rows (layers_unitcrosswalk), audited."""

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "bảng chuyển đổi đơn vị"


class TrackedUser(User):
    """Users (auth_user), audited without password hash and last_login."""

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "người dùng"


class TrackedGroup(Group):
    """Groups = roles (auth_group), audited."""

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "vai trò (nhóm)"


class TrackedUserGroup(User.groups.through):
    """User ↔ group membership (auth_user_groups), audited."""

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "thành viên vai trò"


class TrackedUserPermission(User.user_permissions.through):
    """Permissions granted to a user directly, audited."""

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "quyền riêng của người dùng"


class TrackedGroupPermission(Group.permissions.through):
    """Permissions of a group (role), audited."""

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "quyền của vai trò"


class TrackedJurisdiction(Jurisdiction):
    """Jurisdictions (access_jurisdiction), audited."""

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "phạm vi quản lý"


class TrackedJurisdictionUnit(Jurisdiction.units.through):
    """Units of a jurisdiction, audited."""

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "đơn vị trong phạm vi"


class TrackedApiToken(ApiToken):
    """API tokens (access_apitoken), audited without digest and last_used_at."""

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "khóa API"


class TrackedApiTokenUnit(ApiToken.units.through):
    """Units an API token is narrowed to, audited."""

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "đơn vị của khóa API"


class TrackedContext(Context):
    """pghistory's context table. Our event tables copy the context onto each row instead, but
    the table may serve others: pghistory upserts (so updates stay allowed); never deleted."""

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "ngữ cảnh pghistory"
        triggers = [RefuseChange(name="no_delete", operation=pgtrigger.Delete | pgtrigger.Truncate)]


# ---- event tables ---------------------------------------------------------------------------

FeatureEvent = audit_event_model(
    TrackedFeature, "FeatureEvent", verbose_name="sự kiện đối tượng bản đồ",
    summary=("layer_id", "external_id"))
LayerEvent = audit_event_model(
    TrackedLayer, "LayerEvent", verbose_name="sự kiện lớp bản đồ", summary=("slug",))
AdminUnitEvent = audit_event_model(
    TrackedAdminUnit, "AdminUnitEvent", verbose_name="sự kiện đơn vị hành chính",
    summary=("code", "name", "valid_from"))
UnitCrosswalkEvent = audit_event_model(
    TrackedUnitCrosswalk, "UnitCrosswalkEvent", verbose_name="sự kiện bảng chuyển đổi",
    summary=("old_unit_id", "new_unit_id"))
UserEvent = audit_event_model(
    TrackedUser, "UserEvent", verbose_name="sự kiện người dùng",
    exclude=("last_login",), redact=("password",), summary=("username",))
GroupEvent = audit_event_model(
    TrackedGroup, "GroupEvent", verbose_name="sự kiện vai trò", summary=("name",))
UserGroupEvent = audit_event_model(
    TrackedUserGroup, "UserGroupEvent", verbose_name="sự kiện thành viên vai trò",
    summary=("user_id", "group_id"), link=True)
UserPermissionEvent = audit_event_model(
    TrackedUserPermission, "UserPermissionEvent", verbose_name="sự kiện quyền người dùng",
    summary=("user_id", "permission_id"), link=True)
GroupPermissionEvent = audit_event_model(
    TrackedGroupPermission, "GroupPermissionEvent", verbose_name="sự kiện quyền của vai trò",
    summary=("group_id", "permission_id"), link=True)

JurisdictionEvent = audit_event_model(
    TrackedJurisdiction, "JurisdictionEvent", verbose_name="sự kiện phạm vi quản lý",
    summary=("user_id", "sectors"))
JurisdictionUnitEvent = audit_event_model(
    TrackedJurisdictionUnit, "JurisdictionUnitEvent", verbose_name="sự kiện đơn vị trong phạm vi",
    summary=("jurisdiction_id", "adminunit_id"), link=True)
ApiTokenEvent = audit_event_model(
    TrackedApiToken, "ApiTokenEvent", verbose_name="sự kiện khóa API",
    exclude=("last_used_at",), redact=("digest",), summary=("name", "prefix"))
ApiTokenUnitEvent = audit_event_model(
    TrackedApiTokenUnit, "ApiTokenUnitEvent", verbose_name="sự kiện đơn vị của khóa API",
    summary=("apitoken_id", "adminunit_id"), link=True)


# ---- the trail as one list --------------------------------------------------------------------

class AuditLog(models.Model):
    """Read-only view over every event table at once (a UNION ALL built per query, see
    audit/log.py): what the admin lists. No table of its own."""

    id = models.BigIntegerField("mã sự kiện", primary_key=True)
    created_at = models.DateTimeField("thời điểm")
    label = models.TextField("hành động")
    event_model = models.TextField("bảng sự kiện")
    object_model = models.TextField("loại đối tượng")
    object_id = models.BigIntegerField("mã đối tượng", null=True)
    summary = models.JSONField("đối tượng", null=True)
    diff = models.JSONField("thay đổi", null=True)
    context = models.JSONField("ngữ cảnh", null=True)
    context_id = models.UUIDField("mã ngữ cảnh", null=True)
    db_user = models.TextField("vai trò CSDL")

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "audit_log"
        ordering = ["-id"]
        verbose_name = "nhật ký kiểm toán"
        verbose_name_plural = "nhật ký kiểm toán"

    def __str__(self) -> str:
        return f"#{self.id} {self.label} {self.object_model}:{self.object_id}"
