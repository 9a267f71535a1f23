"""Reads of the KPI insights: the "needs attention" list a caller may see.

The KPI API's rules, through kpi.selectors: a KPI the caller may not read does not exist; a
public KPI's items show at every unit, the others' only at units on the caller's ground; naming
a unit off one's ground is a 404 unless every KPI one sees is public (kpi.selectors.unit_for).
The province is the same unit in both generations: its items show with either."""
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from access.principal import Principal
from kpi.selectors import ground_of, kpi_list_visible, unit_for
from kpi.units import reform

from .models import Attention, Severity


@dataclass(frozen=True)
class AttentionList:
    count: int
    items: list[Attention]


def attention_list_visible(*, principal: Principal, unit_code: str | None, generation: str,
                           sector: str | None = None, kind: str | None = None,
                           limit: int = 200) -> AttentionList:
    """What needs attention, most severe first, then by sector, KPI and unit: at one unit, or
    (no unit) at every unit of the generation the caller may see it at."""
    kpis = kpi_list_visible(principal=principal, sector=sector)
    units = reform()
    rows: QuerySet[Attention] = Attention.objects.filter(kpi__in=kpis)
    if unit_code:
        unit = unit_for(principal=principal, units=units, code=unit_code,
                        generation=generation, kpis=kpis)
        rows = rows.filter(unit_id=unit.id)
    else:
        rows = rows.filter(Q(generation=generation) | Q(unit_id=units.province_id))
        ground = ground_of(principal, units)
        if ground is not None:
            rows = rows.filter(Q(kpi__is_public=True) | Q(unit_id__in=sorted(ground)))
    if kind:
        rows = rows.filter(kind=kind)
    rank = Case(When(severity=Severity.CRITICAL, then=Value(0)), default=Value(1),
                output_field=IntegerField())
    rows = (rows.select_related("kpi", "unit")
            .order_by(rank, "kpi__sector", "kpi__position", "kpi__code", "unit__code", "kind"))
    return AttentionList(rows.count(), list(rows[:limit]))
