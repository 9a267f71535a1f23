"""Demo incidents: a month of synthetic reports across the province in every stage of handling,
so the wall, the operator console and the drill-down open on a living Thanh Hóa.

Deterministic (seeded), and only into an empty incident table: real reports are never mixed
with demo ones, and a second run adds nothing. Each incident is routed as a real one (the commune
containing its point, the category's handling level and SLA), gets its history events at
plausible times and its map feature; older incidents are mostly resolved or closed, recent ones
still open, and some open ones are past their due time. Every incident carries the synthetic
flag in its origin text ("Dữ liệu mô phỏng")."""
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.utils import timezone

from incidents.models import Category, Channel, Incident, IncidentEvent, Severity
from incidents.projection import incident_project, incident_projection_written
from incidents.routing import incident_route
from incidents.services import _public_id
from incidents.transitions import Status
from layers.models import AdminLevel

from .layer_catalog import ATTR_SYNTHETIC

DAYS = 30
COUNT = 240
SEED = 38  # Thanh Hóa's province code

TITLES = {
    "hu-hong-mat-duong": ["Ổ gà lớn giữa đường", "Mặt đường sụt lún", "Nắp cống vỡ trên vỉa hè"],
    "den-tin-hieu-hong": ["Đèn tín hiệu giao thông không hoạt động", "Đèn vàng nhấp nháy cả ngày"],
    "tai-nan-giao-thong": ["Va chạm giữa xe máy và ô tô", "Xe tải lật ở khúc cua"],
    "un-tac-giao-thong": ["Ùn tắc kéo dài giờ tan tầm", "Xe đỗ lấn làn gây ùn tắc"],
    "an-ninh-trat-tu": ["Tụ tập gây mất trật tự ban đêm", "Đua xe trái phép"],
    "chay-no": ["Cháy quán ven đường", "Khói lớn từ bãi rác"],
    "ngap-ung": ["Ngập sâu sau mưa lớn", "Cống thoát nước bị tắc"],
    "rac-thai-moi-truong": ["Rác thải đổ trộm bên kênh", "Mùi hôi từ cơ sở chăn nuôi"],
    "an-toan-thuc-pham": ["Nghi ngộ độc thực phẩm tại quán ăn", "Bán thực phẩm không rõ nguồn gốc"],
    "dich-benh": ["Nhiều ca sốt xuất huyết trong xóm", "Ổ bọ gậy sau mưa"],
    "truong-hoc": ["Cổng trường hư hỏng", "Ùn tắc trước cổng trường giờ tan học"],
    "thu-tuc-hanh-chinh": ["Hồ sơ chứng thực chậm trả kết quả", "Bộ phận một cửa đông, chờ lâu"],
    "du-lich": ["Chèo kéo khách ở bãi biển", "Bán giá cao hơn niêm yết"],
    "lua-dao-qua-mang": ["Tin nhắn giả mạo ngân hàng", "Lừa đảo tuyển cộng tác viên online"],
    "tin-sai-su-that": ["Tin đồn sai sự thật trên mạng xã hội"],
    "khac": ["Đèn đường không sáng", "Cây đổ chắn ngang ngõ"],
}
# Where reports come from: the cities and towns more than the rest.
URBAN_WEIGHT = {"Thanh Hóa": 6.0, "Sầm Sơn": 4.0, "Bỉm Sơn": 2.0, "Nghi Sơn": 2.0}
CHANNELS = [(Channel.CITIZEN_WEB, 0.55), (Channel.OPEN311, 0.1), (Channel.HOTLINE, 0.2),
            (Channel.FIELD_STAFF, 0.15)]
SEVERITIES = [(Severity.LOW, 0.3), (Severity.MEDIUM, 0.5), (Severity.HIGH, 0.15),
              (Severity.CRITICAL, 0.05)]
# The path an incident has walked, by how far along it is.
PATHS = [
    [],
    [Status.VERIFIED],
    [Status.VERIFIED, Status.ASSIGNED],
    [Status.VERIFIED, Status.ASSIGNED, Status.IN_PROGRESS],
    [Status.VERIFIED, Status.ASSIGNED, Status.IN_PROGRESS, Status.RESOLVED],
    [Status.VERIFIED, Status.ASSIGNED, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED],
]


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    point: Point
    weight: float


def _places(day) -> list[Place]:
    """A point inside each commune in force (PostGIS's point on surface)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT u.code, u.name, ST_X(p), ST_Y(p), coalesce(parent.name, '') "
            "FROM layers_adminunit u LEFT JOIN layers_adminunit parent ON parent.id = u.parent_id,"
            " LATERAL ST_PointOnSurface(u.geom) p "
            "WHERE u.level = %s AND (u.valid_from IS NULL OR u.valid_from <= %s) "
            "AND (u.valid_to IS NULL OR u.valid_to > %s) ORDER BY u.code",
            [AdminLevel.COMMUNE, day, day])
        rows = cursor.fetchall()
    return [Place(code, name, Point(x, y, srid=4326),
                  max((w for town, w in URBAN_WEIGHT.items() if town in name), default=1.0))
            for code, name, x, y, _ in rows]


def _pick(rng: random.Random, weighted):
    return rng.choices([item for item, _ in weighted], [w for _, w in weighted])[0]


def _stage(rng: random.Random, age: timedelta, sla: timedelta) -> int:
    """How far along an incident is, by its age against its handling time: within the time
    mostly still open, past it mostly done — a few stay open, overdue."""
    share = age / sla
    if share < 0.25:
        return _pick(rng, [(0, 5), (1, 3), (2, 2)])
    if share < 1:
        return _pick(rng, [(1, 1), (2, 2), (3, 4), (4, 3)])
    if share < 3:
        return _pick(rng, [(2, 1), (3, 1), (4, 4), (5, 4)])
    return _pick(rng, [(3, 1), (4, 3), (5, 16)])


def demo_incidents_seed(*, count: int = COUNT, days: int = DAYS, seed: int = SEED,
                        now: datetime | None = None) -> int:
    """Seed `count` incidents over the last `days` days into an empty incident table; returns
    how many were written (0 when any incident exists)."""
    if Incident.objects.exists():
        return 0
    now = now or timezone.now()
    rng = random.Random(seed)
    categories = list(Category.objects.filter(is_active=True, code__in=TITLES).order_by("code"))
    places = _places(timezone.localdate(now))
    weights = [place.weight for place in places]
    with transaction.atomic():
        # recent days weigh more (reports pile up while they are handled); written oldest
        # first, so ids follow time as they would
        moments = sorted(now - timedelta(days=days * rng.random() ** 1.6) for _ in range(count))
        for created in moments:
            place = rng.choices(places, weights)[0]
            category = rng.choice(categories)
            _incident_write(rng, place, category, created, now)
        incident_projection_written()
    return count


def _incident_write(rng: random.Random, place: Place, category: Category, created: datetime,
                    now: datetime) -> Incident:
    route = incident_route(point=place.point, category=category, at=created)
    channel = _pick(rng, CHANNELS)
    title = rng.choice(TITLES[category.code])
    incident = Incident.objects.create(
        public_id=_public_id(), category=category, severity=_pick(rng, SEVERITIES),
        title=title, description=f"{title} tại {place.name}. ({ATTR_SYNTHETIC})",
        location=place.point, address=place.name, channel=channel,
        origin=ATTR_SYNTHETIC, commune_code=route.commune_code,
        assigned_unit_code=route.assigned_unit_code, agency=route.agency,
        due_at=route.due_at)
    events = [IncidentEvent(incident=incident, kind=IncidentEvent.Kind.SUBMITTED,
                            to_status=Status.NEW, note=f"Kênh: {incident.get_channel_display()}")]
    times = [created]
    path = PATHS[_stage(rng, now - created, category.sla)]
    at, before = created, Status.NEW
    for status in path:
        # each step a share of the handling time after the last (most finish within it),
        # never in the future
        at = min(now, at + category.sla * rng.uniform(0.03, 0.4))
        events.append(IncidentEvent(incident=incident, kind=IncidentEvent.Kind.TRANSITION,
                                    from_status=before, to_status=status))
        times.append(at)
        before = status
    incident.status = before
    incident.resolved_at = next((t for t, e in zip(times, events)
                                 if e.to_status == Status.RESOLVED), None)
    if incident.status == Status.CLOSED and rng.random() < 0.6:
        incident.rating = _pick(rng, [(5, 4), (4, 3), (3, 2), (2, 1)])
    incident.save(update_fields=["status", "resolved_at", "rating"])
    IncidentEvent.objects.bulk_create(events)
    # auto_now_add stamped "now": put the real times back
    Incident.objects.filter(pk=incident.pk).update(created_at=created, updated_at=times[-1])
    for event, moment in zip(events, times):
        IncidentEvent.objects.filter(pk=event.pk).update(at=moment)
    incident.created_at = created
    incident_project(incident=incident, now=now, announce=False)
    return incident
