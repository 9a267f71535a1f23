"""Incidents: one model for everything that needs handling, whatever its channel.

The public projection of an incident (category, status, severity, place, time) is also a feature
of the `incidents` map layer, written in the same transaction (incidents/projection.py), so tiles,
clusters and jurisdiction work exactly as for every other layer. Reporter contact is personal
data: it never leaves through public APIs or tiles."""
from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from layers.models import Sector

from .transitions import CLOSED_STATES, HIDDEN_STATES, OPEN_STATES, Status


class Severity(models.TextChoices):
    LOW = "low", "Thấp"
    MEDIUM = "medium", "Trung bình"
    HIGH = "high", "Cao"
    CRITICAL = "critical", "Khẩn cấp"


class Channel(models.TextChoices):
    CITIZEN_WEB = "citizen_web", "Người dân (web)"
    OPEN311 = "open311", "Ứng dụng Open311"
    HOTLINE = "hotline", "Đường dây nóng"
    FIELD_STAFF = "field_staff", "Cán bộ hiện trường"
    SENSOR = "sensor", "Cảm biến"
    PRESS = "press", "Báo chí, mạng xã hội"
    PARTNER_IOC = "partner_ioc", "IOC đối tác (Sầm Sơn)"


# Anyone may report through these; every other channel is staff opening an incident.
PUBLIC_CHANNELS = frozenset({Channel.CITIZEN_WEB, Channel.OPEN311})
# Events promoted into incidents: they must say where they came from (origin_*).
EVENT_CHANNELS = frozenset({Channel.SENSOR, Channel.PRESS, Channel.PARTNER_IOC})


class HandlingLevel(models.TextChoices):
    COMMUNE = "COMMUNE", "UBND xã/phường"
    PROVINCE = "PROVINCE", "Sở, ngành cấp tỉnh"


class Category(models.Model):
    """What an incident is about: its sector, who handles it and how fast (the SLA)."""

    code = models.SlugField("mã", max_length=40, unique=True)
    sector = models.CharField("lĩnh vực", max_length=20, choices=Sector.choices)
    name_vi = models.CharField("tên", max_length=120)
    name_en = models.CharField("tên (tiếng Anh)", max_length=120)
    description_vi = models.TextField("mô tả", blank=True)
    handling_level = models.CharField("cấp xử lý mặc định", max_length=10,
                                      choices=HandlingLevel.choices,
                                      default=HandlingLevel.COMMUNE)
    agency = models.CharField("cơ quan chuyên ngành", max_length=200)
    sla = models.DurationField("thời hạn xử lý")
    is_active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "loại sự cố"
        verbose_name_plural = "loại sự cố"
        ordering = ["sector", "code"]
        constraints = [models.CheckConstraint(condition=Q(sla__gt="0 seconds"),
                                              name="category_sla_positive")]

    def __str__(self) -> str:
        return self.name_vi


class Incident(models.Model):
    """A report or event that someone must handle, from intake to closure."""

    public_id = models.CharField("mã tra cứu", max_length=20, unique=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="incidents",
                                 verbose_name="loại")
    severity = models.CharField("mức độ", max_length=10, choices=Severity.choices,
                                default=Severity.MEDIUM)
    status = models.CharField("tình trạng", max_length=12, choices=Status.choices,
                              default=Status.NEW)
    title = models.CharField("tiêu đề", max_length=200)
    description = models.TextField("nội dung", max_length=5000)
    location = models.PointField("vị trí", srid=4326)
    area = models.PolygonField("vùng ảnh hưởng", srid=4326, null=True, blank=True)
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    channel = models.CharField("kênh tiếp nhận", max_length=12, choices=Channel.choices)
    origin = models.CharField("nguồn gốc", max_length=300, blank=True,
                              help_text="Mô tả nguồn (người gọi, bài báo, cảnh báo…)")
    # The event an incident was promoted from: its system, its id there, a link (staff only).
    origin_system = models.CharField("hệ thống nguồn", max_length=60, blank=True,
                                     help_text="vd. cam-bien-aqi, baothanhhoa.vn, ioc-sam-son")
    origin_ref = models.CharField("mã sự kiện nguồn", max_length=120, blank=True)
    origin_url = models.URLField("liên kết nguồn", max_length=500, blank=True)
    # Personal data: never in public answers or tiles.
    reporter_name = models.CharField("người phản ánh", max_length=120, blank=True)
    reporter_phone = models.CharField("điện thoại", max_length=20, blank=True)
    reporter_email = models.EmailField("thư điện tử", blank=True)
    # Routing (current unit generation) and handling.
    commune_code = models.CharField("xã/phường", max_length=5)
    assigned_unit_code = models.CharField("đơn vị xử lý", max_length=5)
    agency = models.CharField("cơ quan chuyên ngành", max_length=200)
    escalation_level = models.PositiveSmallIntegerField("cấp chuyển lên", default=0)
    due_at = models.DateTimeField("hạn xử lý")
    duplicate_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="duplicates", verbose_name="trùng với")
    rating = models.PositiveSmallIntegerField("mức hài lòng", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField("tiếp nhận lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)
    resolved_at = models.DateTimeField("xử lý xong lúc", null=True, blank=True)

    class Meta:
        verbose_name = "sự cố"
        verbose_name_plural = "sự cố"
        ordering = ["-created_at"]
        permissions = [
            ("verify_incident", "Xác minh, từ chối, đóng sự cố"),
            ("assign_incident", "Giao xử lý sự cố"),
            ("handle_incident", "Xử lý sự cố"),
            ("merge_incident", "Gộp sự cố trùng"),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="incident_status_due"),
                   models.Index(fields=["commune_code", "status"], name="incident_commune"),
                   # newest first (lists, the wall's "new in 24 h", time windows)
                   models.Index(fields=["-created_at", "-id"], name="incident_newest"),
                   # the wall's "resolved on time in 30 days": most rows are closed
                   models.Index(fields=["resolved_at"], name="incident_resolved_at",
                                condition=Q(resolved_at__isnull=False))]
        constraints = [
            models.CheckConstraint(condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                                   name="incident_rating_1_5"),
            models.CheckConstraint(
                condition=Q(duplicate_of__isnull=True) | Q(status=Status.DUPLICATE),
                name="incident_duplicate_link_only_when_duplicate"),
            models.CheckConstraint(condition=~Q(duplicate_of=F("id")),
                                   name="incident_not_duplicate_of_itself"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(status__in=[Status.RESOLVED, Status.CLOSED]),
                name="incident_rated_after_resolution"),
            models.CheckConstraint(
                condition=~Q(channel__in=sorted(PUBLIC_CHANNELS))
                | Q(origin_system="", origin_ref="", origin_url=""),
                name="incident_public_channels_have_no_origin"),
            models.CheckConstraint(
                condition=~Q(channel__in=sorted(EVENT_CHANNELS)) | ~Q(origin_ref="") | ~Q(origin_url=""),
                name="incident_promoted_events_keep_origin"),
            models.CheckConstraint(condition=Q(origin_ref="") | ~Q(origin_system=""),
                                   name="incident_origin_ref_needs_system"),
            # One event becomes one incident (promoting it again is a 409).
            models.UniqueConstraint(fields=["origin_system", "origin_ref"],
                                    condition=~Q(origin_ref=""), name="incident_origin_once"),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} · {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATES

    @property
    def is_hidden(self) -> bool:
        return self.status in HIDDEN_STATES

    def can_be_rated(self) -> bool:
        return self.status in CLOSED_STATES and self.rating is None

    def accepts_public_replies(self) -> bool:
        """Public replies go to incidents still being worked on or reopenable (up to resolved);
        closed, rejected and duplicate incidents take internal notes only."""
        return self.status in OPEN_STATES | {Status.RESOLVED}


class IncidentEvent(models.Model):
    """One step of an incident's history: submission, each transition, assignment, merge."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Tiếp nhận"
        TRANSITION = "transition", "Chuyển trạng thái"
        ESCALATED = "escalated", "Chuyển lên cấp trên (quá hạn)"
        MERGED = "merged", "Gộp trùng"
        RATED = "rated", "Đánh giá"
        COMMENTED = "commented", "Trả lời, ghi chú"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    note = models.TextField(blank=True, max_length=2000)
    is_public = models.BooleanField(default=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


COMMENT_MAX_LENGTH = 2000


class IncidentComment(models.Model):
    """A reply: public ones are shown on the tracking page, internal ones only to staff.

    Citizens see a public reply as coming from `author_unit` (the unit or agency, as it was
    named when the reply was written), never from the person."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="comments")
    body = models.TextField(max_length=COMMENT_MAX_LENGTH)
    is_public = models.BooleanField(default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+")
    author_unit = models.CharField("đơn vị trả lời", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(body__regex=r"\S"),
                                   name="incidentcomment_body_not_blank"),
            models.CheckConstraint(condition=LessThanOrEqual(Length("body"), COMMENT_MAX_LENGTH),
                                   name="incidentcomment_body_max_length"),
            models.CheckConstraint(condition=Q(is_public=False) | ~Q(author_unit=""),
                                   name="incidentcomment_public_reply_signed"),
        ]


class IncidentPhoto(models.Model):
    """A photo of an incident, as we re-encoded it: JPEG, no EXIF (GPS, device), capped size."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to="incident-photos/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class IncidentNotification(models.Model):
    """Outbox: a message owed to an incident's reporter, delivered later by
    `incidents.notifications.notifications_deliver` (command `incidents_notify`, Celery beat).

    The address is not copied here: it is read from the incident when the message is sent, so
    personal data lives in one place (and an erased contact cancels the message)."""

    class Template(models.TextChoices):
        MERGED_INTO = "merged_into", "Phản ánh đã được gộp vào phản ánh khác"
        MERGED_FROM = "merged_from", "Một phản ánh trùng đã được gộp vào phản ánh này"

    class Medium(models.TextChoices):
        EMAIL = "email", "Thư điện tử"
        SMS = "sms", "Tin nhắn"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE,
                                 related_name="notifications")
    template = models.CharField(max_length=20, choices=Template.choices)
    medium = models.CharField(max_length=8, choices=Medium.choices)
    related_public_id = models.CharField("sự cố liên quan", max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "thông báo cho người phản ánh"
        verbose_name_plural = "thông báo cho người phản ánh"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["created_at"], condition=Q(sent_at__isnull=True),
                                name="incidentnotification_pending")]
        constraints = [models.UniqueConstraint(
            fields=["incident", "template", "medium", "related_public_id"],
            name="incidentnotification_once")]
