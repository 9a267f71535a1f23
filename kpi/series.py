"""The values of KPIs for one unit over a window of periods: recorded against the unit, or
derived from other units (docs/adr/0015-kpi-registry-and-reaggregation.md):

1. recorded — a value stored for this unit version and period;
2. derived from a set of source units, the first set whose every unit has a value:
   - rolled up within the generation: a district from its communes, the province from the
     communes of either generation or from the districts (weight 1);
   - across the 2025 reform: a commune or district of one generation from the communes of the
     other, with the crosswalk weights of kpi.units;
   SUM KPIs add the weighted values; MEAN KPIs (and ratios without parts) take the mean
   weighted by weight × size (area, or population when known) of each source;
3. RATIO KPIs with a numerator and a denominator: scale × numerator / denominator, each of
   them recorded or derived as above.

A constant number of queries whatever the number of KPIs: one for the recorded values, one per
source set, and the same again for the parts of ratios."""
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection

from . import periods
from .models import Aggregation, Grain, Kpi
from .units import CURRENT, PRE_REFORM, Reform, RefUnit

RECORDED, ROLLED_UP, CROSSWALK, RATIO_PARTS = "recorded", "rolled_up", "crosswalk", "ratio"


@dataclass(frozen=True)
class Point:
    """A value and where it came from (provenance is given for recorded values only)."""

    value: float
    origin: str
    source: str | None = None
    run_id: int | None = None
    recorded_at: datetime | None = None
    note: str = ""


Window = tuple[date, date]  # first and last period start, both included
Values = dict[tuple[int, date], Point]

_WINDOWS = "unnest(%s::bigint[], %s::date[], %s::date[]) AS k(kpi_id, first, last)"
_RECORDED_SQL = f"""
SELECT v.kpi_id, v.period_start, v.value, v.source, v.run_id, v.recorded_at, v.note
  FROM kpi_kpivalue v
  JOIN {_WINDOWS} ON k.kpi_id = v.kpi_id AND v.period_start BETWEEN k.first AND k.last
 WHERE v.unit_id = %s
"""
_SOURCES_SQL = f"""
SELECT v.kpi_id, v.period_start, count(*), sum(v.value * s.w), sum(v.value * s.w * s.m),
       sum(s.w * s.m)
  FROM kpi_kpivalue v
  JOIN unnest(%s::bigint[], %s::float8[], %s::float8[]) AS s(unit_id, w, m)
    ON s.unit_id = v.unit_id
  JOIN {_WINDOWS} ON k.kpi_id = v.kpi_id AND v.period_start BETWEEN k.first AND k.last
 GROUP BY v.kpi_id, v.period_start
"""


def _window_params(windows: dict[int, Window]) -> list:
    ids = sorted(windows)
    return [ids, [windows[i][0] for i in ids], [windows[i][1] for i in ids]]


def _recorded(unit: RefUnit, windows: dict[int, Window]) -> Values:
    with connection.cursor() as cursor:
        cursor.execute(_RECORDED_SQL, [*_window_params(windows), unit.id])
        rows = cursor.fetchall()
    return {(kpi_id, start): Point(value, RECORDED, source, run_id, at, note)
            for kpi_id, start, value, source, run_id, at, note in rows}


def source_sets(reform: Reform, unit: RefUnit, generation: str) -> list[tuple[str, dict]]:
    """The sets a unit's value may be derived from, in order: (origin, {unit id: weight})."""
    if unit.level == "PROVINCE":
        other = PRE_REFORM if generation == CURRENT else CURRENT
        return [(ROLLED_UP, dict.fromkeys(reform.leaves[generation], 1.0)),
                (ROLLED_UP, dict.fromkeys(reform.leaves[other], 1.0)),
                (ROLLED_UP, dict.fromkeys(reform.children, 1.0))]
    own = unit.generation or generation
    leaves = reform.leaves_of(unit, own)
    sets = []
    if unit.level == "DISTRICT":
        sets.append((ROLLED_UP, dict.fromkeys(leaves, 1.0)))
    sets.append((CROSSWALK, reform.crossed_weights(leaves, own)))
    return [(origin, {u: w for u, w in weights.items() if w > 0})
            for origin, weights in sets if weights]


def _derived(kpis: dict[int, Kpi], windows: dict[int, Window], weights: dict[int, float],
             reform: Reform, origin: str) -> Values:
    ids = sorted(weights)
    params = [ids, [weights[i] for i in ids], [reform.size.get(i, 0.0) for i in ids],
              *_window_params(windows)]
    with connection.cursor() as cursor:
        cursor.execute(_SOURCES_SQL, params)
        rows = cursor.fetchall()
    derived: Values = {}
    for kpi_id, start, count, weighted, weighted_measure, measure in rows:
        if count != len(ids):
            continue  # a source unit has no value for the period: no value, not a partial one
        if kpis[kpi_id].aggregation == Aggregation.SUM:
            derived[(kpi_id, start)] = Point(weighted, origin)
        elif measure:
            derived[(kpi_id, start)] = Point(weighted_measure / measure, origin)
    return derived


def _derivable(kpi: Kpi) -> bool:
    return kpi.grain != Grain.PROVINCE and not kpi.has_parts


def values_for(*, kpis: list[Kpi], windows: dict[int, Window], unit: RefUnit, generation: str,
               reform: Reform) -> Values:
    """The value of each KPI in each period of its window for the unit: (kpi id, period start)
    → Point, for the periods that have one (recorded, derived or from a ratio's parts)."""
    if not kpis:
        return {}
    by_id = {kpi.id: kpi for kpi in kpis}
    values = _recorded(unit, windows)
    derivable = {i: windows[i] for i, kpi in by_id.items() if _derivable(kpi)}
    if derivable:
        for origin, weights in source_sets(reform, unit, generation):
            found = _derived(by_id, derivable, weights, reform, origin)
            for key, point in found.items():
                values.setdefault(key, point)
    ratios = [kpi for kpi in kpis if kpi.has_parts]
    if ratios:
        _from_parts(ratios, windows, unit, generation, reform, values)
    return values


def _from_parts(ratios: list[Kpi], windows: dict[int, Window], unit: RefUnit, generation: str,
                reform: Reform, values: Values) -> None:
    parts: dict[int, Kpi] = {}
    part_windows: dict[int, Window] = {}
    for kpi in ratios:
        for part in (kpi.numerator, kpi.denominator):
            parts[part.id] = part
            first, last = part_windows.get(part.id, windows[kpi.id])
            part_windows[part.id] = (min(first, windows[kpi.id][0]),
                                     max(last, windows[kpi.id][1]))
    found = values_for(kpis=list(parts.values()), windows=part_windows, unit=unit,
                       generation=generation, reform=reform)
    for kpi in ratios:
        first, last = windows[kpi.id]
        for period in periods.between(periods.Period(first, kpi.periodicity),
                                      periods.Period(last, kpi.periodicity)):
            key = (kpi.id, period.start)
            numerator = found.get((kpi.numerator_id, period.start))
            denominator = found.get((kpi.denominator_id, period.start))
            if key in values or numerator is None or denominator is None:
                continue
            if denominator.value:
                values[key] = Point(kpi.scale * numerator.value / denominator.value, RATIO_PARTS)
