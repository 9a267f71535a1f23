"""The records behind a computed KPI: the incidents behind "resolved on time", the accidents
behind "traffic accidents" — for a unit of either generation and one period.

An allow-list keyed by the KPI's computation (kpi/computations.py): each entry restates, as an
ORM filter, the rows its aggregation counts — same time field bucketed in Vietnam time, same
statuses and channels, rejected and duplicate incidents left out, incidents placed in pre-reform
units by their map feature — so that, for a caller who may read them all, the number of records
equals the KPI's value (tests/dashboard check it). Rates and means list their denominator's rows
(the resolved incidents of the period), each with what it contributes (on time, rating).

Reads go through the owners' scoped selectors (incidents.selectors.incident_list_visible,
layers.selectors.feature_list_visible): a caller sees the records they may read, which for a
sector- or unit-bound caller may be fewer than the KPI counts; the answer says both."""
from dataclasses import dataclass
from datetime import datetime, time

from django.db.models import F, QuerySet
from django.utils import timezone

from access.principal import Principal
from incidents.models import PUBLIC_CHANNELS, Incident
from incidents.projection import LAYER_SLUG as INCIDENTS_LAYER
from incidents.selectors import incident_list_visible
from incidents.transitions import CLOSED_STATES, HIDDEN_STATES
from kpi import periods
from kpi.models import Kpi, Source
from kpi.units import RefUnit
from layers.models import AdminLevel, Feature, Layer
from layers.selectors import feature_list_visible, layer_get_visible

from .errors import RecordsForbidden, RecordsNotAvailable

INCIDENTS, FEATURES = "incidents", "features"


@dataclass(frozen=True)
class IncidentRule:
    """Incidents by `time` (created_at or resolved_at), optionally of some statuses or channels,
    optionally only those resolved by their due time."""

    time: str
    statuses: frozenset | None = None
    channels: frozenset | None = None
    on_time: bool = False
    kind: str = INCIDENTS


@dataclass(frozen=True)
class FeatureRule:
    """Features of a layer by `observed_at`, optionally those whose property `prop` is
    `value`."""

    layer: str
    prop: str | None = None
    value: str | None = None
    kind: str = FEATURES


_RESOLVED = IncidentRule("resolved_at", statuses=CLOSED_STATES)
_SECURITY, _ACCIDENTS = "security-incidents", "traffic-accidents"
RULES: dict[str, IncidentRule | FeatureRule] = {
    "incidents_received": IncidentRule("created_at"),
    "citizen_reports_received": IncidentRule("created_at", channels=PUBLIC_CHANNELS),
    "incidents_resolved": _RESOLVED,
    "incidents_resolved_on_time": IncidentRule("resolved_at", statuses=CLOSED_STATES,
                                               on_time=True),
    "incidents_on_time_pct": _RESOLVED,
    "citizen_satisfaction": _RESOLVED,
    "security_incidents": FeatureRule(_SECURITY),
    "security_theft": FeatureRule(_SECURITY, "incident_type", "theft"),
    "security_fraud": FeatureRule(_SECURITY, "incident_type", "fraud"),
    "security_assault": FeatureRule(_SECURITY, "incident_type", "assault"),
    "security_drugs": FeatureRule(_SECURITY, "incident_type", "drugs"),
    "traffic_accidents": FeatureRule(_ACCIDENTS),
    "traffic_deaths": FeatureRule(_ACCIDENTS),
    "traffic_injuries": FeatureRule(_ACCIDENTS),
    "traffic_accidents_per_100k": FeatureRule(_ACCIDENTS),
}
# Rules whose record count is the KPI's value (the others list the rows behind a rate, a mean
# or a sum of a property).
COUNTED = {"incidents_received", "citizen_reports_received", "incidents_resolved",
           "incidents_resolved_on_time", "security_incidents", "security_theft",
           "security_fraud", "security_assault", "security_drugs", "traffic_accidents"}


def records_rule(kpi: Kpi) -> IncidentRule | FeatureRule | None:
    """The records rule of a KPI (None: imported or connector data, no records here)."""
    if kpi.source != Source.COMPUTED:
        return None
    return RULES.get(kpi.computation)


def local_bounds(period: periods.Period) -> tuple[datetime, datetime]:
    """The period's start and end (exclusive) at local midnight, Vietnam time."""
    zone = timezone.get_default_timezone()
    return (datetime.combine(period.start, time.min, tzinfo=zone),
            datetime.combine(period.end, time.min, tzinfo=zone))


def _incidents(principal: Principal, rule: IncidentRule, unit: RefUnit, generation_of_unit: str,
               period: periods.Period) -> QuerySet[Incident]:
    if not principal.has("incidents.view_incident"):
        raise RecordsForbidden("Tài khoản không có quyền xem sự cố.")
    start, end = local_bounds(period)
    rows = incident_list_visible(principal=principal).exclude(status__in=HIDDEN_STATES).filter(
        **{f"{rule.time}__gte": start, f"{rule.time}__lt": end})
    if rule.statuses:
        rows = rows.filter(status__in=rule.statuses)
    if rule.channels:
        rows = rows.filter(channel__in=rule.channels)
    if rule.on_time:
        rows = rows.filter(resolved_at__lte=F("due_at"))
    if unit.level == AdminLevel.PROVINCE:
        return rows
    if generation_of_unit == "current":
        return rows.filter(commune_code=unit.code)
    column = "commune_code_pre2025" if unit.level == AdminLevel.COMMUNE else "district_code_pre2025"
    placed = Feature.objects.filter(layer__slug=INCIDENTS_LAYER, **{column: unit.code})
    return rows.filter(public_id__in=placed.values("external_id"))


def _features(principal: Principal, rule: FeatureRule, unit: RefUnit, generation_of_unit: str,
              period: periods.Period) -> tuple[Layer, QuerySet[Feature]]:
    layer = layer_get_visible(slug=rule.layer, principal=principal)
    start, end = local_bounds(period)
    rows = feature_list_visible(principal=principal, layer=layer, since=start, until=end)
    rows = rows.filter(commune_code__isnull=False)
    if rule.prop:
        rows = rows.filter(**{f"properties__{rule.prop}": rule.value})
    if unit.level == AdminLevel.PROVINCE:
        pass
    elif generation_of_unit == "current":
        rows = rows.filter(commune_code=unit.code)
    elif unit.level == AdminLevel.COMMUNE:
        rows = rows.filter(commune_code_pre2025=unit.code)
    else:
        rows = rows.filter(district_code_pre2025=unit.code)
    return layer, rows.order_by("-observed_at", "-id")


@dataclass(frozen=True)
class Records:
    """The records behind a KPI for a unit and period: how many the caller may read, the first
    `limit` of them (newest first), and the layer when they are features."""

    kind: str
    counted: bool
    total: int
    rows: list
    layer: Layer | None = None


def records_for(*, principal: Principal, kpi: Kpi, unit: RefUnit, generation: str,
                period: periods.Period, limit: int) -> Records:
    """The records behind a computed KPI (RecordsNotAvailable for other KPIs)."""
    rule = records_rule(kpi)
    if rule is None:
        raise RecordsNotAvailable(
            f"Chỉ số “{kpi.code}” không tính từ hồ sơ của hệ thống (số liệu nhập hoặc kết nối).",
            details={"kpi": kpi.code, "source": kpi.source.lower()})
    own_generation = unit.generation or generation
    counted = kpi.computation in COUNTED
    if isinstance(rule, IncidentRule):
        rows = _incidents(principal, rule, unit, own_generation, period)
        rows = rows.select_related("category").order_by(f"-{rule.time}", "-id")
        return Records(INCIDENTS, counted, rows.count(), list(rows[:limit]))
    layer, rows = _features(principal, rule, unit, own_generation, period)
    return Records(FEATURES, counted, rows.count(), list(rows[:limit]), layer)
