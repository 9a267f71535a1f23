"""Incidents of one administrative unit for the leaders' drill-down (issue 6): how many, by
status, by category, how many overdue, and the newest few — scoped by the one incident scope.

A unit of the current generation holds the incidents routed to its communes (the routing is a
point-in-polygon on today's communes); a pre-reform unit holds those whose place lies inside its
outline (the incidents were routed after the reform, so no stored code names the old units)."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from access.principal import Principal
from layers.models import AdminLevel, AdminUnit
from layers.selectors import unit_get
from layers.stats import CURRENT, generation_day

from .models import Incident
from .selectors import incident_scope
from .transitions import CLOSED_STATES, HIDDEN_STATES, OPEN_STATES

RECENT = 10


@dataclass(frozen=True)
class IncidentFigures:
    total: int
    open: int
    overdue: int
    by_status: dict[str, int]
    by_category: list[tuple[str, str, str, int]]   # code, name_vi, name_en, count
    recent: list[Incident]


def unit_incidents(*, principal: Principal, unit: AdminUnit, current: bool,
                   since: date | None = None, until: date | None = None,
                   category: list[str] | None = None,
                   status: list[str] | None = None) -> QuerySet[Incident]:
    """Incidents the principal may read inside the unit, created within the local days
    [since, until], with the optional category and status filters."""
    incidents = Incident.objects.filter(incident_scope(principal=principal))
    incidents = incidents.exclude(status__in=HIDDEN_STATES).filter(_inside(unit, current))
    if since:
        incidents = incidents.filter(created_at__gte=_local_midnight(since))
    if until:
        incidents = incidents.filter(created_at__lt=_local_midnight(until + timedelta(days=1)))
    if category:
        incidents = incidents.filter(category__code__in=category)
    if status:
        incidents = incidents.filter(status__in=status)
    return incidents


def incident_figures(*, incidents: QuerySet[Incident]) -> IncidentFigures:
    """Counts of `incidents` (from `unit_incidents`) and the newest RECENT of them."""
    now = timezone.now()
    by_status = dict(incidents.values_list("status").annotate(n=Count("id")).order_by())
    by_category = [
        (code, name_vi, name_en, n) for code, name_vi, name_en, n in
        incidents.values_list("category__code", "category__name_vi", "category__name_en")
        .annotate(n=Count("id")).order_by("-n", "category__code")]
    overdue = incidents.filter(due_at__lt=now).exclude(status__in=CLOSED_STATES).count()
    recent = list(incidents.select_related("category").order_by("-created_at", "-id")[:RECENT])
    return IncidentFigures(
        total=sum(by_status.values()), open=sum(by_status.get(s, 0) for s in OPEN_STATES),
        overdue=overdue, by_status=by_status, by_category=by_category, recent=recent)


def _inside(unit: AdminUnit, current: bool) -> Q:
    if unit.level == AdminLevel.PROVINCE:
        return Q()
    if current and unit.level == AdminLevel.COMMUNE:
        return Q(commune_code=unit.code)
    # The outline stays in the database (units are read without it).
    return Q(Exists(AdminUnit.objects.filter(pk=unit.pk, geom__intersects=OuterRef("location"))))


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def unit_incident_figures(*, principal: Principal, code: str, generation: str,
                          since: date | None = None, until: date | None = None,
                          category: list[str] | None = None,
                          status: list[str] | None = None) -> tuple[AdminUnit, IncidentFigures]:
    """The unit (as in force in the generation; 404 when unknown there) and its figures."""
    unit = unit_get(code=code, day=generation_day(generation))
    incidents = unit_incidents(principal=principal, unit=unit, current=generation == CURRENT,
                               since=since, until=until, category=category, status=status)
    return unit, incident_figures(incidents=incidents)
