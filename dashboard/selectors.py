"""Reads of the dashboard: who may open it, the period a KPI is shown for, and one KPI over the
child units of a unit (the choropleth and the ranking).

Every figure is the KPI app's: the unit's own from kpi.selectors.kpi_series, the children's
through dashboard.figures (equal to /api/kpi/{code}/values/?unit=<child>). Jurisdiction is the
KPI app's too: kpi_series refuses a unit off the caller's ground for a staff KPI (404), and
children off the ground are left out (a public KPI shows every child)."""
from dataclasses import dataclass

from django.contrib.gis.db.models import Extent
from django.utils import timezone

from access.principal import Principal
from kpi import conf as kpi_conf
from kpi import periods
from kpi.errors import InvalidPeriod
from kpi.models import Kpi
from kpi.selectors import (PeriodFigure, Series, ground_of, kpi_get_visible, kpi_list_visible,
                           kpi_series)
from kpi.series import Point
from kpi.status import Judgement
from kpi.units import Reform, RefUnit, reform
from layers.models import AdminUnit

from .errors import RecordsNotAvailable
from .figures import targets_across, values_across
from .records import Records, records_for, records_rule
from .units import unit_breadcrumb, unit_children


def dashboard_allowed(principal: Principal) -> bool:
    """The KPI app's rule for staff data (kpi.selectors.kpi_readable): the caller may read at
    least one KPI that is not public. Public KPIs alone are for the public pages."""
    return any(not kpi.is_public for kpi in kpi_list_visible(principal=principal))


def last_period(kpi: Kpi, as_of: str | None) -> periods.Period:
    """The period of the KPI containing `as_of` (a date or a period label; default today) —
    the last period of the summary's window for that KPI."""
    try:
        day = periods.parse(as_of).start if as_of else timezone.localdate()
    except periods.PeriodError as exc:
        raise InvalidPeriod(str(exc)) from exc
    return periods.containing(day, kpi.periodicity)


def kpi_window(*, principal: Principal, kpi: Kpi, unit_code: str | None, generation: str,
               as_of: str | None) -> tuple[Series, PeriodFigure | None]:
    """The unit's series over the summary card's window up to `as_of`, and its latest figure
    that has a value (None: no value in the window) — the period the card shows."""
    last = last_period(kpi, as_of)
    span = kpi_conf.get("IOC_KPI_SPARKLINE_PERIODS")
    first = periods.Period(periods.shift(last.start, kpi.periodicity, 1 - span), kpi.periodicity)
    series = kpi_series(principal=principal, code=kpi.code, unit_code=unit_code,
                        generation=generation, since=first.label, until=last.label)
    latest = next((f for f in reversed(series.figures) if f.point is not None), None)
    return series, latest


@dataclass(frozen=True)
class UnitFigure:
    """A child unit's value, target and status in the period."""

    unit: RefUnit
    point: Point | None
    target: float | None
    judgement: Judgement


@dataclass(frozen=True)
class KpiAcross:
    """A KPI for a unit and its children in one period."""

    kpi: Kpi
    unit: RefUnit
    generation: str
    period: periods.Period
    own: PeriodFigure
    breadcrumb: list[RefUnit]
    level: str | None
    children: list[UnitFigure]
    bbox: tuple[float, float, float, float] | None


def _on_ground(principal: Principal, units: Reform, kpi: Kpi,
               children: list[RefUnit]) -> list[RefUnit]:
    ground = None if kpi.is_public else ground_of(principal, units)
    return [u for u in children if ground is None or u.id in ground]


def rank_key(kpi: Kpi):
    """Best first by the KPI's direction; units without a value last, then by name."""
    sign = -1 if kpi.direction == "HIGHER" else 1

    def key(figure: UnitFigure):
        value = figure.point.value if figure.point else None
        return (value is None, sign * value if value is not None else 0, figure.unit.name)
    return key


def kpi_across_units(*, principal: Principal, code: str, unit_code: str | None,
                     generation: str, as_of: str | None) -> KpiAcross:
    """The KPI for the unit (default: the province) in the period its card shows, and for each
    child unit on the caller's ground in that same period, ranked best first."""
    kpi = kpi_get_visible(principal=principal, code=code)
    series, latest = kpi_window(principal=principal, kpi=kpi, unit_code=unit_code,
                                generation=generation, as_of=as_of)
    own = latest or series.figures[-1]
    units = reform()
    children = _on_ground(principal, units, kpi,
                          unit_children(units=units, unit=series.unit, generation=generation))
    values = values_across(kpi=kpi, units=children, period=own.period, generation=generation,
                           reform=units)
    targets = targets_across(kpi=kpi, units=children, start=own.period.start)
    figures = []
    for child in children:
        point = values.get(child.id)
        target = targets[child.id]
        figures.append(UnitFigure(child, point, target,
                                  kpi.judge(point.value if point else None, target)))
    figures.sort(key=rank_key(kpi))
    return KpiAcross(kpi, series.unit, generation, own.period, own,
                     unit_breadcrumb(units=units, unit=series.unit),
                     children[0].level if children else None, figures, unit_bbox(series.unit))


def unit_bbox(unit: RefUnit) -> tuple[float, float, float, float] | None:
    """The unit's extent (west, south, east, north), for the map to fit it."""
    extent = AdminUnit.objects.filter(id=unit.id).aggregate(extent=Extent("geom"))["extent"]
    return tuple(round(v, 5) for v in extent) if extent else None


@dataclass(frozen=True)
class KpiRecords:
    """The records behind a KPI's figure for a unit and period."""

    kpi: Kpi
    unit: RefUnit
    generation: str
    figure: PeriodFigure
    records: Records


def kpi_records(*, principal: Principal, code: str, unit_code: str | None, generation: str,
                period: str | None, limit: int) -> KpiRecords:
    """The records behind a computed KPI's figure for a unit: in `period` (a label or a date,
    floored to the KPI's periodicity), or by default in the period its card shows."""
    kpi = kpi_get_visible(principal=principal, code=code)
    if records_rule(kpi) is None:
        raise RecordsNotAvailable(
            f"Chỉ số “{kpi.code}” không tính từ hồ sơ của hệ thống (số liệu nhập hoặc kết nối).",
            details={"kpi": kpi.code, "source": kpi.source.lower()})
    if period:
        try:
            label = periods.parse_as(period, kpi.periodicity).label
        except periods.PeriodError as exc:
            raise InvalidPeriod(str(exc)) from exc
        series = kpi_series(principal=principal, code=code, unit_code=unit_code,
                            generation=generation, since=label, until=label)
        figure = series.figures[0]
    else:
        series, latest = kpi_window(principal=principal, kpi=kpi, unit_code=unit_code,
                                    generation=generation, as_of=None)
        figure = latest or series.figures[-1]
    records = records_for(principal=principal, kpi=kpi, unit=series.unit, generation=generation,
                          period=figure.period, limit=limit)
    return KpiRecords(kpi, series.unit, generation, figure, records)
