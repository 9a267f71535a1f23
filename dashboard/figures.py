"""One KPI's value for many units in one period — the choropleth's and the ranking's figures —
equal, unit by unit, to what the KPI app answers for each unit alone (kpi.series.values_for:
recorded first, else derived, ratios from their parts).

values_for costs a few queries per unit. Most children have a value recorded against them (the
imports and the computed KPIs write every unit of the grain), so those are read for all the
units in one query — the KPI's own values and, for a ratio, its parts' — and values_for runs only
for the units left, one by one. A unit at a level the KPI's grain does not reach (a commune for
a district-grain KPI) has no value either way: the imports and the refresh refuse those rows
(kpi.imports.LEVELS_BY_GRAIN), so it is not asked."""
from django.db.models import Q

from kpi import periods
from kpi.imports import LEVELS_BY_GRAIN
from kpi.models import Kpi, KpiTarget, KpiValue
from kpi.selectors import target_on
from kpi.series import RATIO_PARTS, RECORDED, Point, values_for
from kpi.units import Reform, RefUnit


def _reachable(kpi: Kpi, level: str) -> bool:
    grains = [kpi.grain] + ([kpi.numerator.grain, kpi.denominator.grain] if kpi.has_parts else [])
    return any(level in LEVELS_BY_GRAIN[grain] for grain in grains)


def _recorded(kpi_ids: list[int], unit_ids: list[int], start) -> dict[tuple[int, int], KpiValue]:
    rows = KpiValue.objects.filter(kpi_id__in=kpi_ids, unit_id__in=unit_ids, period_start=start)
    return {(row.kpi_id, row.unit_id): row for row in rows}


def _point(row: KpiValue) -> Point:
    return Point(row.value, RECORDED, row.source, row.run_id, row.recorded_at, row.note)


def values_across(*, kpi: Kpi, units: list[RefUnit], period: periods.Period, generation: str,
                  reform: Reform) -> dict[int, Point]:
    """unit id → the KPI's value in `period`, for the units that have one."""
    asked = [u for u in units if _reachable(kpi, u.level)]
    parts = [kpi.numerator_id, kpi.denominator_id] if kpi.has_parts else []
    recorded = _recorded([kpi.id, *parts], [u.id for u in asked], period.start)
    found: dict[int, Point] = {}
    rest = []
    for unit in asked:
        own = recorded.get((kpi.id, unit.id))
        numerator = recorded.get((kpi.numerator_id, unit.id)) if parts else None
        denominator = recorded.get((kpi.denominator_id, unit.id)) if parts else None
        if own is not None:
            found[unit.id] = _point(own)
        elif numerator is not None and denominator is not None:
            if denominator.value:  # as kpi.series._from_parts: a zero denominator, no value
                found[unit.id] = Point(kpi.scale * numerator.value / denominator.value,
                                       RATIO_PARTS)
        else:
            rest.append(unit)
    for unit in rest:
        values = values_for(kpis=[kpi], windows={kpi.id: (period.start, period.start)},
                            unit=unit, generation=generation, reform=reform)
        point = values.get((kpi.id, period.start))
        if point is not None:
            found[unit.id] = point
    return found


def targets_across(*, kpi: Kpi, units: list[RefUnit], start) -> dict[int, float | None]:
    """unit id → the KPI's target for the period starting `start` (kpi.selectors.target_on: the
    unit's own latest in force, else the general one), in one query."""
    rows = (KpiTarget.objects.filter(kpi=kpi, effective_from__lte=start)
            .filter(Q(unit__isnull=True) | Q(unit_id__in=[u.id for u in units]))
            .order_by("effective_from", "id"))
    general = [t for t in rows if t.unit_id is None]
    own: dict[int, list[KpiTarget]] = {}
    for target in rows:
        if target.unit_id is not None:
            own.setdefault(target.unit_id, []).append(target)
    return {u.id: target_on(own.get(u.id, []) + general, start) for u in units}
