"""Reads of incidents, scoped by the caller: staff see incidents of their sectors routed to
their units (province-wide roles: every unit); the public sees only what a tracking id shows."""
import re
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.db.models import Q, QuerySet, Value
from django.utils import timezone

from access.principal import NOTHING, Principal
from layers.models import AdminUnit, Sector
from layers.models.expressions import Fold
from layers.selectors import valid_on

from .errors import IncidentNotFound, UnknownCategory
from .models import (Category, Channel, Incident, IncidentComment, IncidentEvent,
                     IncidentPhoto)
from .transitions import CLOSED_STATES, HIDDEN_STATES


def incident_scope(*, principal: Principal) -> Q:
    """The one filter of incidents a principal may read."""
    if not principal.has("incidents.view_incident"):
        return NOTHING
    scope = Q()
    if principal.sectors is not None:
        scope &= Q(category__sector__in=principal.sectors)
    if not principal.province_wide:
        if not principal.cur_codes:
            return NOTHING
        scope &= Q(commune_code__in=principal.cur_codes) | Q(
            assigned_unit_code__in=principal.cur_codes)
    return scope


def incident_on_ground(*, principal: Principal, commune_code: str,
                       assigned_unit_code: str) -> bool:
    """Whether an incident routed to these units lies on the principal's ground (the unit rule
    of `incident_scope`, for an incident not yet stored)."""
    return principal.province_wide or bool(
        {commune_code, assigned_unit_code} & principal.cur_codes)


def incident_list_visible(*, principal: Principal, status: list[str] | None = None,
                          category: list[str] | None = None, commune: str | None = None,
                          since=None, until=None, overdue: bool | None = None,
                          sector: str | None = None, unit: str | None = None,
                          text: str | None = None) -> QuerySet[Incident]:
    """Incidents the principal may read, newest first, narrowed by the filters given: status
    and category codes, a commune, a sector, a unit (`incident_unit_filter`), creation time
    in [since, until), overdue or not, and a text (`incident_text_filter`)."""
    incidents = (Incident.objects.filter(incident_scope(principal=principal))
                 .select_related("category"))
    if sector:
        incidents = incidents.filter(category__sector=sector)
    if unit:
        incidents = incidents.filter(incident_unit_filter(code=unit))
    if text:
        incidents = incident_text_filter(incidents, text=text)
    if status:
        incidents = incidents.filter(status__in=status)
    if category:
        incidents = incidents.filter(category__code__in=category)
    if commune:
        incidents = incidents.filter(commune_code=commune)
    if since is not None:
        incidents = incidents.filter(created_at__gte=since)
    if until is not None:
        incidents = incidents.filter(created_at__lt=until)
    if overdue is not None:
        late = Q(due_at__lt=timezone.now()) & ~Q(status__in=CLOSED_STATES | HIDDEN_STATES)
        incidents = incidents.filter(late) if overdue else incidents.exclude(late)
    return incidents.order_by("-created_at", "-id")


def incident_unit_filter(*, code: str) -> Q:
    """Incidents of a unit in force today: routed to it or to a commune inside it (its
    descendants), or assigned to it or to one of those."""
    codes = unit_codes_within(code=code)
    return Q(commune_code__in=codes) | Q(assigned_unit_code__in=codes)


def unit_codes_within(*, code: str) -> list[str]:
    """The code of a unit in force today and those of every unit below it."""
    day = timezone.localdate()
    codes, level = [code], [code]
    while level:
        level = list(AdminUnit.objects.filter(valid_on(day), parent__code__in=level)
                     .exclude(code__in=codes).values_list("code", flat=True))
        codes += level
    return codes


TRACKING_ID = re.compile(r"^PA-[0-9A-Z]{8}$")


def incident_text_filter(incidents: QuerySet[Incident], *, text: str) -> QuerySet[Incident]:
    """A tracking id finds that incident; other text is looked for in the title, description
    and address, ignoring case and Vietnamese diacritics ("o ga" finds "Ổ gà"). No index
    serves it: it scans the incidents the other filters leave."""
    text = text.strip()
    if TRACKING_ID.match(text.upper()):
        return incidents.filter(public_id=text.upper())
    needle = Fold(Value(text))
    return incidents.alias(
        folded_title=Fold("title"), folded_description=Fold("description"),
        folded_address=Fold("address"),
    ).filter(Q(folded_title__contains=needle) | Q(folded_description__contains=needle)
             | Q(folded_address__contains=needle))


def incident_get_visible(*, principal: Principal, public_id: str) -> Incident:
    """One incident the principal may read; otherwise it does not exist (404)."""
    incident = (Incident.objects.filter(incident_scope(principal=principal), public_id=public_id)
                .select_related("category").first())
    if incident is None:
        raise IncidentNotFound(f"Không có sự cố '{public_id}'.")
    return incident


def incident_get_public(*, public_id: str) -> Incident:
    """An incident by its tracking id, for the public tracking page (public fields only)."""
    incident = Incident.objects.filter(public_id=public_id).select_related("category").first()
    if incident is None:
        raise IncidentNotFound(f"Không có phản ánh mã '{public_id}'.")
    return incident


def incident_comment_list_visible(*, principal: Principal,
                                  public_id: str) -> QuerySet[IncidentComment]:
    """Replies and internal notes of an incident the principal may read (404 otherwise)."""
    incident = incident_get_visible(principal=principal, public_id=public_id)
    return (IncidentComment.objects.filter(incident=incident).select_related("author")
            .order_by("created_at", "id"))


def incident_replies_public(*, incident: Incident) -> QuerySet[IncidentComment]:
    """The public replies of an incident, oldest first, for its tracking page."""
    return incident.comments.filter(is_public=True).order_by("created_at", "id")


# Active categories are read once per process and kept this long: every report needs its
# category, and categories change a few times a year (an edit in this process is seen at once:
# incidents/signals.py; other processes see it within this time).
CATEGORY_CACHE_SECONDS = 30
_active: tuple[float, dict[str, Category]] | None = None


def categories_forget() -> None:
    """Read the categories again at the next use (after a change)."""
    global _active
    _active = None


def _active_categories() -> dict[str, Category]:
    global _active
    cached = _active
    if cached is None or time.monotonic() - cached[0] > CATEGORY_CACHE_SECONDS:
        cached = (time.monotonic(), {c.code: c for c in Category.objects.filter(is_active=True)})
        _active = cached
    return cached[1]


def category_get(*, code: str) -> Category:
    """An active category (400 UnknownCategory otherwise)."""
    category = _active_categories().get(code)
    if category is None:
        raise UnknownCategory(f"Không có loại sự cố '{code}'.", details={"category": code})
    return category


def category_codes() -> list[str]:
    """Codes of every category, in use or not: what incidents may be filtered by (the incidents
    tiles' code list too)."""
    return list(Category.objects.order_by("code").values_list("code", flat=True))


def category_list() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("sector", "code")


def incident_duplicates_near(*, category: Category, point: Point,
                             window: timedelta | None = None) -> QuerySet[Incident]:
    """Open or recently resolved incidents of the same category within the duplicate radius and
    time window — offered to a citizen before submitting, and flagged to operators."""
    window = window or settings.INCIDENT_DUPLICATE_WINDOW
    return (Incident.objects.filter(
        category=category, created_at__gte=timezone.now() - window,
        # degrees for the index (0.002° ≥ 200 m here), then metres on the sphere
        location__dwithin=(point, 0.002),
        location__distance_lte=(point, D(m=settings.INCIDENT_DUPLICATE_RADIUS_M)))
        .exclude(status__in=HIDDEN_STATES)
        .annotate(distance=Distance("location", point)).order_by("distance", "-created_at"))


def incident_photo_list(*, incident: Incident) -> list[IncidentPhoto]:
    """An incident's photos in the order of their numbers (1-based, as `incident_photo_get`)."""
    return list(incident.photos.order_by("created_at", "id"))


def incident_event_list(*, incident: Incident) -> QuerySet[IncidentEvent]:
    """An incident's whole history (staff), oldest first, with who made each step."""
    return incident.events.select_related("actor").order_by("at", "id")


def incident_photo_get(*, public_id: str, number: int):
    """The n-th (1-based) photo of a report."""
    incident = incident_get_public(public_id=public_id)
    photo = incident.photos.order_by("created_at", "id")[number - 1:number].first() \
        if number >= 1 else None
    if photo is None:
        raise IncidentNotFound(f"Không có ảnh số {number} của phản ánh '{public_id}'.")
    return photo


# ---- Public browsing (added for Open311 GET requests, open311/selectors.py) ----------------
# Reports citizens published themselves; hotline, field staff, sensor, press and partner
# incidents are staff work and are only ever seen by tracking id.
PUBLICLY_LISTED_CHANNELS = (Channel.CITIZEN_WEB, Channel.OPEN311)
# Reports to the police about public order and safety are never browsable: a list of them by
# place and time would point at the people who reported (they are still tracked by id).
UNLISTED_SECTORS = (Sector.SECURITY,)


def incident_list_public(*, categories: list[str] | None = None,
                         statuses: list[str] | None = None, since=None, until=None
                         ) -> QuerySet[Incident]:
    """Reports anyone may browse: sent through a public channel and not hidden (rejected and
    duplicate reports leave the map, and the list, too); newest first. Callers output public
    fields only, as for the tracking page."""
    incidents = (Incident.objects.filter(channel__in=PUBLICLY_LISTED_CHANNELS)
                 .exclude(status__in=HIDDEN_STATES)
                 .exclude(category__sector__in=UNLISTED_SECTORS).select_related("category"))
    if categories:
        incidents = incidents.filter(category__code__in=categories)
    if statuses:
        incidents = incidents.filter(status__in=statuses)
    if since is not None:
        incidents = incidents.filter(created_at__gte=since)
    if until is not None:
        incidents = incidents.filter(created_at__lte=until)
    return incidents.order_by("-created_at", "-id")


def incident_list_tracked(*, public_ids: list[str]) -> QuerySet[Incident]:
    """Reports by tracking ids: the rule of `incident_get_public` for many ids at once —
    whoever holds an id sees that report's public fields, whatever its status or channel."""
    return (Incident.objects.filter(public_id__in=public_ids).select_related("category")
            .order_by("-created_at", "-id"))
