"""KPI series as the insights read them: complete periods only, for one unit of a reference
generation, every KPI at once (kpi.series.values_for: recorded, rolled up, across the crosswalk
or from a ratio's parts — the KPI app's one definition of a unit's value).

Complete periods: the series ends with the period before the one containing today. The current
period of a computed KPI holds a partial count (incidents so far this month), which would read
as an improvement for "lower is better" KPIs and as a decline for the others."""
from dataclasses import dataclass
from datetime import date

from kpi import periods
from kpi.models import Kpi
from kpi.selectors import target_on, targets_of
from kpi.series import values_for
from kpi.units import Reform, RefUnit


@dataclass(frozen=True)
class KpiSeries:
    """A KPI's values and targets at one unit over consecutive periods (None: no value)."""

    kpi: Kpi
    unit: RefUnit
    generation: str
    periods: list[periods.Period]
    values: list[float | None]
    targets: list[float | None]

    @property
    def labels(self) -> list[str]:
        return [p.label for p in self.periods]

    def history(self) -> tuple[list[periods.Period], list[float]]:
        """The last run of consecutive periods with a value (a forecast needs no gaps)."""
        end = len(self.values)
        while end and self.values[end - 1] is None:
            end -= 1
        start = end
        while start and self.values[start - 1] is not None:
            start -= 1
        return self.periods[start:end], [float(v) for v in self.values[start:end]]


def last_complete(periodicity: str, today: date) -> periods.Period:
    """The latest period that has ended by `today`."""
    return periods.containing(today, periodicity).previous()


def unit_series(*, kpis: list[Kpi], unit: RefUnit, generation: str, reform: Reform,
                spans: dict[str, int], today: date) -> list[KpiSeries]:
    """Each KPI's series at the unit over the last `spans[periodicity]` complete periods."""
    if not kpis:
        return []
    lasts = {kpi.id: last_complete(kpi.periodicity, today) for kpi in kpis}
    windows = {kpi.id: (periods.shift(lasts[kpi.id].start, kpi.periodicity,
                                      1 - spans[kpi.periodicity]), lasts[kpi.id].start)
               for kpi in kpis}
    values = values_for(kpis=kpis, windows=windows, unit=unit, generation=generation,
                        reform=reform)
    targets = targets_of(kpis=kpis, unit_id=unit.id)
    found = []
    for kpi in kpis:
        first = periods.Period(windows[kpi.id][0], kpi.periodicity)
        span = periods.between(first, lasts[kpi.id])
        points = [values.get((kpi.id, p.start)) for p in span]
        found.append(KpiSeries(kpi, unit, generation, span,
                               [p.value if p else None for p in points],
                               [target_on(targets[kpi.id], p.start) for p in span]))
    return found
