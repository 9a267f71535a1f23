"""Writes of the incident workflow. Each is one atomic function that checks, mutates, writes an
event row, keeps the map projection in step and publishes on commit."""
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import IntegrityError, transaction
from django.utils import timezone

from access.principal import Principal
from layers.errors import UnitNotFound
from layers.selectors import unit_get

from . import conf, realtime
from .errors import (AlreadyPromoted, CannotRate, CommentForbidden, IncidentNotFound,
                     IncidentOpenForbidden, InvalidChannel, InvalidComment, InvalidOrigin, InvalidPhoto,
                     OutsideJurisdiction, RepliesClosed, TransitionForbidden,
                     TransitionNotAllowed, UnknownHandlingUnit)
from .models import (COMMENT_MAX_LENGTH, EVENT_CHANNELS, PUBLIC_CHANNELS, Category, Channel,
                     Incident, IncidentComment, IncidentEvent, IncidentPhoto, Severity)
from .notifications import notifications_queue_merge
from .photos import photo_clean
from .intake import incident_insert
from .projection import incident_map_properties, incident_project, incident_projection_written
from .routing import Route, escalation_target, incident_route
from .selectors import category_get, incident_on_ground, incident_scope
from .transitions import OPEN_STATES, Status, required_permission

ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U


def _public_id() -> str:
    return "PA-" + "".join(secrets.choice(ID_ALPHABET) for _ in range(8))


@dataclass(frozen=True)
class ReportInput:
    category: str
    lon: float
    lat: float
    title: str
    description: str
    channel: str = Channel.CITIZEN_WEB
    severity: str = Severity.MEDIUM
    address: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter_email: str = ""
    origin: str = ""
    # The event promoted into an incident (staff channels only): its system, id, link.
    origin_system: str = ""
    origin_ref: str = ""
    origin_url: str = ""

    @property
    def names_an_origin(self) -> bool:
        return bool(self.origin_system or self.origin_ref or self.origin_url)


def _publish(kind: str, incident: Incident) -> None:
    """Publish once committed — after the tile drain that the projection's write queued on
    commit before this (on_commit runs in order), so the event's version covers the change."""
    event = realtime.incident_event(kind=kind, incident=incident)
    transaction.on_commit(lambda: realtime.publish(realtime.stamped(event)))


def incident_submit(*, principal: Principal, report: ReportInput) -> Incident:
    """Accept a report: route it, store it, put it on the map — committed before we answer.

    Citizens (and Open311 clients) use the public channels; the other channels (hotline,
    field staff, sensors, press, partner IOC) are staff opening an incident (`incident_open_for`)."""
    if report.channel not in PUBLIC_CHANNELS:
        return incident_open_for(principal=principal, report=report)
    if report.names_an_origin:
        raise InvalidOrigin("Chỉ cán bộ tiếp nhận qua các kênh nghiệp vụ mới ghi nguồn sự kiện.")
    category = category_get(code=report.category)
    point = Point(report.lon, report.lat, srid=4326)
    now = timezone.now()
    route = incident_route(point=point, category=category, at=now)
    # Citizens' reports come in bursts: the tile drain and the live push run after the
    # answer (the report itself is committed before it).
    return _incident_create(principal=principal, report=report, category=category, point=point,
                            route=route, now=now, drain_later=True)


def incident_open_for(*, principal: Principal, report: ReportInput) -> Incident:
    """Staff open an incident on someone's behalf (a hotline caller, a field visit) or promote
    an event (sensor alert, press item, partner IOC report) into one, keeping its origin.

    403 without the right or outside one's sectors; 400 when the point is routed outside
    one's units (a write leaving one's ground) or a promoted event names no source; 409 when
    that event (origin_system + origin_ref) is an incident already."""
    if report.channel in PUBLIC_CHANNELS:
        raise InvalidChannel("Cán bộ mở sự cố qua kênh nghiệp vụ, không qua kênh công khai.",
                             details={"channel": report.channel})
    if not principal.has("incidents.add_incident"):
        raise IncidentOpenForbidden("Không có quyền tạo sự cố qua kênh này.")
    category = category_get(code=report.category)
    if principal.sectors is not None and category.sector not in principal.sectors:
        raise IncidentOpenForbidden("Loại sự cố này thuộc lĩnh vực khác, ngoài phạm vi của bạn.",
                                    details={"sector": category.sector})
    _origin_check(report)
    point = Point(report.lon, report.lat, srid=4326)
    now = timezone.now()
    route = incident_route(point=point, category=category, at=now)
    if not incident_on_ground(principal=principal, commune_code=route.commune_code,
                              assigned_unit_code=route.assigned_unit_code):
        raise OutsideJurisdiction("Vị trí sự cố nằm ngoài địa bàn bạn phụ trách.",
                                  details={"commune": route.commune_code})
    _promoted_check(principal, report)
    try:
        return _incident_create(principal=principal, report=report, category=category,
                                point=point, route=route, now=now)
    except IntegrityError:  # promoted by someone else in the meantime
        _promoted_check(principal, report)
        raise


def _origin_check(report: ReportInput) -> None:
    if report.origin_ref and not report.origin_system:
        raise InvalidOrigin("Mã sự kiện nguồn cần kèm hệ thống nguồn (origin_system).")
    if report.channel in EVENT_CHANNELS and not (report.origin_ref or report.origin_url):
        raise InvalidOrigin("Sự kiện chuyển thành sự cố phải ghi nguồn: origin_system và "
                            "origin_ref, hoặc origin_url.", details={"channel": report.channel})


def _promoted_check(principal: Principal, report: ReportInput) -> None:
    """AlreadyPromoted (409) when the event is an incident already; its id is told only to
    those who may see it."""
    if not report.origin_ref:
        return
    existing = Incident.objects.filter(origin_system=report.origin_system,
                                       origin_ref=report.origin_ref).first()
    if existing is None:
        return
    visible = Incident.objects.filter(incident_scope(principal=principal), pk=existing.pk).exists()
    raise AlreadyPromoted("Sự kiện này đã được chuyển thành sự cố.",
                          details={"incident": existing.public_id} if visible else None)


def _incident_create(*, principal: Principal, report: ReportInput, category: Category,
                     point: Point, route: Route, now, drain_later: bool = False) -> Incident:
    incident = Incident(
        public_id=_public_id(), category=category, severity=report.severity,
        title=report.title, description=report.description, location=point,
        address=report.address, channel=report.channel, origin=report.origin,
        origin_system=report.origin_system, origin_ref=report.origin_ref,
        origin_url=report.origin_url,
        reporter_name=report.reporter_name, reporter_phone=report.reporter_phone,
        reporter_email=report.reporter_email, commune_code=route.commune_code,
        assigned_unit_code=route.assigned_unit_code, agency=route.agency,
        due_at=route.due_at, created_by_id=principal.user_id)
    event = IncidentEvent(kind=IncidentEvent.Kind.SUBMITTED, to_status=Status.NEW,
                          actor_id=principal.user_id,
                          note=f"Kênh: {incident.get_channel_display()}")
    with transaction.atomic():
        # The incident, its first event and its map feature in one statement.
        incident_insert(incident=incident, event=event,
                        map_properties=incident_map_properties(incident, now))
        if drain_later:
            created = realtime.incident_event(kind="incident.created", incident=incident)
            transaction.on_commit(lambda: realtime.publish_drained(created))
        else:
            incident_projection_written()
            _publish("incident.created", incident)
    return incident


def _locked(principal: Principal, public_id: str) -> Incident:
    incident = (Incident.objects.select_for_update(of=("self",))
                .filter(incident_scope(principal=principal), public_id=public_id)
                .select_related("category").first())
    if incident is None:
        raise IncidentNotFound(f"Không có sự cố '{public_id}'.")
    return incident


def incident_transition(*, principal: Principal, public_id: str, to_status: str,
                        note: str = "", is_public: bool = True,
                        assigned_unit_code: str | None = None) -> Incident:
    """Move an incident along the status machine (409 for a move it does not allow, 403 for
    a move the caller may not make)."""
    with transaction.atomic():
        incident = _locked(principal, public_id)
        permission = required_permission(incident.status, to_status)
        if permission is None:
            raise TransitionNotAllowed(
                f"Không thể chuyển sự cố từ '{incident.get_status_display()}' sang "
                f"'{Status(to_status).label if to_status in Status.values else to_status}'.",
                details={"from": incident.status, "to": to_status})
        if not principal.has(permission):
            raise TransitionForbidden("Không có quyền thực hiện bước xử lý này.")
        before = incident.status
        incident.status = to_status
        if to_status == Status.ASSIGNED and assigned_unit_code:
            _unit_in_force_check(assigned_unit_code)
            incident.assigned_unit_code = assigned_unit_code
        if to_status == Status.RESOLVED:
            incident.resolved_at = timezone.now()
        if to_status == Status.IN_PROGRESS:
            incident.resolved_at = None
        incident.save()
        IncidentEvent.objects.create(incident=incident, kind=IncidentEvent.Kind.TRANSITION,
                                     from_status=before, to_status=to_status, note=note,
                                     is_public=is_public, actor_id=principal.user_id)
        incident_project(incident=incident, now=timezone.now())
        _publish("incident.updated", incident)
    return incident


def _unit_in_force_check(code: str) -> None:
    """Any unit in force today may be handed an incident (400 otherwise)."""
    try:
        unit_get(code=code, day=timezone.localdate())
    except UnitNotFound:
        raise UnknownHandlingUnit(f"Không có đơn vị hành chính mã {code} hiện hành.",
                                  details={"assigned_unit": code}) from None


def incident_merge(*, principal: Principal, public_id: str, into_public_id: str) -> Incident:
    """Mark an incident as a duplicate of another; both keep a link and an event."""
    with transaction.atomic():
        duplicate = _locked(principal, public_id)  # invisible → 404 before any 403
        original = _locked(principal, into_public_id)
        if not principal.has("incidents.merge_incident"):
            raise TransitionForbidden("Không có quyền gộp sự cố.")
        if duplicate.pk == original.pk or original.status == Status.DUPLICATE:
            raise TransitionNotAllowed("Không thể gộp vào chính nó hoặc vào một bản trùng.")
        if required_permission(duplicate.status, Status.DUPLICATE) is None:
            raise TransitionNotAllowed("Sự cố đã qua bước xác minh, không thể đánh dấu trùng.",
                                       details={"from": duplicate.status})
        before = duplicate.status
        duplicate.status, duplicate.duplicate_of = Status.DUPLICATE, original
        duplicate.save()
        note = f"Trùng với {original.public_id}"
        IncidentEvent.objects.create(incident=duplicate, kind=IncidentEvent.Kind.MERGED,
                                     from_status=before, to_status=Status.DUPLICATE, note=note,
                                     actor_id=principal.user_id)
        IncidentEvent.objects.create(incident=original, kind=IncidentEvent.Kind.MERGED,
                                     note=f"Gộp phản ánh {duplicate.public_id}",
                                     actor_id=principal.user_id)
        notifications_queue_merge(duplicate=duplicate, original=original)
        incident_project(incident=duplicate, now=timezone.now())
        _publish("incident.updated", duplicate)
    return duplicate


def incident_rate(*, public_id: str, rating: int) -> Incident:
    """The reporter's satisfaction (1–5) once the incident is resolved; once only."""
    with transaction.atomic():
        incident = Incident.objects.select_for_update().filter(public_id=public_id).first()
        if incident is None:
            raise IncidentNotFound(f"Không có phản ánh mã '{public_id}'.")
        if not incident.can_be_rated():
            raise CannotRate("Chỉ đánh giá được một lần, sau khi phản ánh đã được xử lý xong.")
        incident.rating = rating
        incident.save(update_fields=["rating", "updated_at"])
        IncidentEvent.objects.create(incident=incident, kind=IncidentEvent.Kind.RATED,
                                     note=f"{rating}/5")
    return incident


COMMENT_PERMISSIONS = ("incidents.handle_incident", "incidents.verify_incident")


def incident_comment_add(*, principal: Principal, public_id: str, text: str,
                         is_public: bool) -> IncidentComment:
    """A public reply (shown on the tracking page, signed by the unit or agency) or an internal
    note (staff only) on an incident in the caller's reach (404 outside it).

    403 for staff who neither verify nor handle incidents; 400 for blank or overlong text;
    409 for a public reply to a closed, rejected or duplicate incident."""
    body = text.strip()
    if not body or len(body) > COMMENT_MAX_LENGTH:
        raise InvalidComment(f"Nội dung phải có từ 1 đến {COMMENT_MAX_LENGTH} ký tự.",
                             details={"max_length": COMMENT_MAX_LENGTH})
    with transaction.atomic():
        incident = _locked(principal, public_id)
        if not any(principal.has(p) for p in COMMENT_PERMISSIONS):
            raise CommentForbidden("Không có quyền trả lời hoặc ghi chú sự cố.")
        if is_public and not incident.accepts_public_replies():
            raise RepliesClosed("Sự cố đã kết thúc; chỉ có thể ghi chú nội bộ.",
                                details={"status": incident.status})
        signature = _reply_signature(principal, incident)
        comment = IncidentComment.objects.create(
            incident=incident, body=body, is_public=is_public, author_id=principal.user_id,
            author_unit=signature)
        IncidentEvent.objects.create(
            incident=incident, kind=IncidentEvent.Kind.COMMENTED, is_public=is_public,
            actor_id=principal.user_id,
            note=f"Phản hồi của {signature}" if is_public else "Ghi chú nội bộ")
        _publish("incident.commented", incident)
    return comment


def _reply_signature(principal: Principal, incident: Incident) -> str:
    """Who a reply is from, as citizens see it — a unit or an agency, never a person: staff
    bound to units sign with the incident's unit they hold (handling unit first); province-wide
    sector staff as the sector's agency; everyone else as the operations centre."""
    if not principal.province_wide:
        for code in (incident.assigned_unit_code, incident.commune_code):
            if code in principal.cur_codes:
                return unit_get(code=code, day=timezone.localdate()).name
    if principal.sectors is not None:
        return incident.agency
    return conf.center_name()


def incidents_escalate_overdue(*, now=None) -> int:
    """Open incidents past their due time move up to the parent level once (commune →
    province); each gets an event and stays flagged overdue on the map."""
    now = now or timezone.now()
    moved = 0
    with transaction.atomic():
        overdue = (Incident.objects.select_for_update(skip_locked=True, of=("self",))
                   .filter(status__in=OPEN_STATES, due_at__lt=now, escalation_level=0)
                   .select_related("category"))
        for incident in overdue:
            target = escalation_target(unit_code=incident.assigned_unit_code,
                                       day=timezone.localdate(now))
            if target is not None:
                incident.assigned_unit_code = target
            incident.escalation_level = 1
            incident.save(update_fields=["assigned_unit_code", "escalation_level", "updated_at"])
            IncidentEvent.objects.create(
                incident=incident, kind=IncidentEvent.Kind.ESCALATED, is_public=False,
                note=f"Quá hạn {incident.due_at:%d/%m/%Y %H:%M}; chuyển lên {target or 'tỉnh'}")
            incident_project(incident=incident, now=now)
            _publish("incident.updated", incident)
            moved += 1
    return moved


def incident_photo_add(*, public_id: str, data: bytes) -> IncidentPhoto:
    """Attach a (re-encoded, EXIF-free) photo to a report still waiting for verification."""

    clean = photo_clean(data=data)
    with transaction.atomic():
        incident = Incident.objects.select_for_update().filter(public_id=public_id).first()
        if incident is None:
            raise IncidentNotFound(f"Không có phản ánh mã '{public_id}'.")
        if incident.status != Status.NEW:
            raise CannotRate("Chỉ bổ sung ảnh khi phản ánh chưa được xác minh.")
        if incident.photos.count() >= settings.INCIDENT_PHOTOS_PER_REPORT:
            raise InvalidPhoto(f"Tối đa {settings.INCIDENT_PHOTOS_PER_REPORT} ảnh cho một phản ánh.")
        photo = IncidentPhoto(incident=incident, width=clean.width, height=clean.height,
                              size_bytes=clean.content.size)
        photo.image.save(f"{incident.public_id}.jpg", clean.content, save=False)
        photo.save()
    return photo
