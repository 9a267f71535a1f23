"""Reads of the KPI app: the catalogue a caller may see, a KPI's targets, a series for a unit
with a status per period, and the summary of every KPI for a unit (the dashboard's cards).

Who sees what: a KPI flagged public is for everybody, at every unit. Other KPIs are staff data:
staff who may view the map (`layers.view_feature`; tokens with `layers:read`), in their sectors,
at the units on their ground — both generations, through the crosswalk (kpi.units). Anything
else does not exist (404)."""
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from access.principal import Principal

from . import conf, periods
from .errors import InvalidPeriod, KpiNotFound, KpiUnitNotFound
from .models import Kpi, KpiTarget
from .series import Point, values_for
from .status import Judgement, Trend, trend
from .units import Reform, RefUnit, reform

DEFAULT_SPAN = {periods.DAY: 31, periods.MONTH: 24, periods.QUARTER: 8, periods.YEAR: 5}


def kpi_readable(principal: Principal, kpi: Kpi) -> bool:
    """Public KPIs for everybody; the others for staff who may view the map in their sector."""
    if kpi.is_public:
        return True
    return (principal.has("layers.view_feature") and principal.has_scope("layers:read")
            and (principal.sectors is None or kpi.sector in principal.sectors))


def _catalogue() -> QuerySet[Kpi]:
    return Kpi.objects.filter(is_active=True).select_related("numerator", "denominator")


def kpi_list_visible(*, principal: Principal, sector: str | None = None) -> list[Kpi]:
    """Active KPIs the caller may see, by sector and position; optionally one sector."""
    kpis = _catalogue()
    if sector:
        kpis = kpis.filter(sector=sector)
    return [kpi for kpi in kpis if kpi_readable(principal, kpi)]


def kpi_get_visible(*, principal: Principal, code: str) -> Kpi:
    """One active KPI by code (KpiNotFound, 404, when unknown or not for this caller)."""
    kpi = _catalogue().filter(code=code).first()
    if kpi is None or not kpi_readable(principal, kpi):
        raise KpiNotFound(f"Không có chỉ số “{code[:63]}”.", details={"kpi": code[:63]})
    return kpi


def ground_of(principal: Principal, units: Reform) -> frozenset[int] | None:
    """Reference units on the caller's ground (None: all of them)."""
    return units.visible_ids(province_wide=principal.province_wide,
                             cur_codes=principal.cur_codes, pre_codes=principal.pre_codes)


def on_ground(principal: Principal, units: Reform, unit: RefUnit) -> bool:
    """Whether a unit lies on the caller's ground."""
    ground = ground_of(principal, units)
    return ground is None or unit.id in ground


def unit_for(*, principal: Principal, units: Reform, code: str | None, generation: str,
             kpis: list[Kpi]) -> RefUnit:
    """The unit asked for (default: the province); a unit off the caller's ground exists for
    public KPIs only (KpiUnitNotFound, 404, otherwise)."""
    unit = units.get(code or units.units[units.province_id].code, generation)
    if all(kpi.is_public for kpi in kpis) or on_ground(principal, units, unit):
        return unit
    raise KpiUnitNotFound(f"Không có đơn vị mã {unit.code} trong phạm vi của bạn.",
                          details={"unit": unit.code})


# ---- targets ----------------------------------------------------------------------------

def targets_of(*, kpis: list[Kpi], unit_id: int | None) -> dict[int, list[KpiTarget]]:
    """Targets of the KPIs that apply to a unit: its own and the general ones, oldest first."""
    rows = KpiTarget.objects.filter(kpi__in=kpis).filter(
        Q(unit__isnull=True) | Q(unit_id=unit_id)).order_by("effective_from", "id")
    found: dict[int, list[KpiTarget]] = {kpi.id: [] for kpi in kpis}
    for row in rows:
        found[row.kpi_id].append(row)
    return found


def target_on(targets: list[KpiTarget], start: date) -> float | None:
    """The target of the period starting `start`: the unit's own latest one in force, else
    the general latest one in force."""
    own = [t for t in targets if t.unit_id is not None and t.effective_from <= start]
    general = [t for t in targets if t.unit_id is None and t.effective_from <= start]
    chosen = own or general
    return chosen[-1].value if chosen else None


def kpi_targets_visible(*, principal: Principal, kpi: Kpi) -> list[KpiTarget]:
    """The KPI's targets on the caller's ground (general ones always)."""
    targets = list(kpi.targets.select_related("unit").order_by("unit__code", "effective_from"))
    units = reform()
    ground = None if kpi.is_public else ground_of(principal, units)
    return [t for t in targets if t.unit_id is None or ground is None or t.unit_id in ground]


# ---- series ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class PeriodFigure:
    period: periods.Period
    point: Point | None
    target: float | None
    judgement: Judgement


@dataclass(frozen=True)
class Series:
    kpi: Kpi
    unit: RefUnit
    generation: str
    figures: list[PeriodFigure]


def period_range(kpi: Kpi, since: str | None, until: str | None,
                 today: date | None = None) -> tuple[periods.Period, periods.Period]:
    """The first and last period of a series (defaults: a KPI-dependent span to today)."""
    try:
        last = (periods.parse_as(until, kpi.periodicity) if until
                else periods.containing(today or timezone.localdate(), kpi.periodicity))
        first = (periods.parse_as(since, kpi.periodicity) if since else periods.Period(
            periods.shift(last.start, kpi.periodicity, 1 - DEFAULT_SPAN[kpi.periodicity]),
            kpi.periodicity))
    except periods.PeriodError as exc:
        raise InvalidPeriod(str(exc)) from exc
    if first > last:
        raise InvalidPeriod("Kỳ đầu (since) phải trước hoặc bằng kỳ cuối (until).")
    count = periods.count_between(first.start, last.start, kpi.periodicity)
    if count > conf.get("IOC_KPI_MAX_PERIODS"):
        raise InvalidPeriod(f"Chuỗi {count:,} kỳ dài quá giới hạn "
                            f"{conf.get('IOC_KPI_MAX_PERIODS'):,} kỳ mỗi lần.")
    return first, last


def kpi_series(*, principal: Principal, code: str, unit_code: str | None, generation: str,
               since: str | None = None, until: str | None = None) -> Series:
    """A KPI's value, target and status in every period from `since` to `until` for a unit."""
    kpi = kpi_get_visible(principal=principal, code=code)
    units = reform()
    unit = unit_for(principal=principal, units=units, code=unit_code, generation=generation,
                    kpis=[kpi])
    first, last = period_range(kpi, since, until)
    values = values_for(kpis=[kpi], windows={kpi.id: (first.start, last.start)}, unit=unit,
                        generation=generation, reform=units)
    targets = targets_of(kpis=[kpi], unit_id=unit.id)[kpi.id]
    figures = []
    for period in periods.between(first, last):
        point = values.get((kpi.id, period.start))
        target = target_on(targets, period.start)
        figures.append(PeriodFigure(period, point, target,
                                    kpi.judge(point.value if point else None, target)))
    return Series(kpi, unit, generation, figures)


# ---- summary --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Card:
    """One KPI for the dashboard: its latest value in the window, status, trend, sparkline."""

    kpi: Kpi
    latest: PeriodFigure | None
    previous: PeriodFigure | None
    trend: Trend
    sparkline: list[tuple[periods.Period, float | None]]
    judgement: Judgement


@dataclass(frozen=True)
class Summary:
    unit: RefUnit
    generation: str
    as_of: date
    cards: list[Card]


def _card(kpi: Kpi, values: dict, targets: list[KpiTarget], last: periods.Period,
          span: int) -> Card:
    window = [periods.Period(periods.shift(last.start, kpi.periodicity, -i), kpi.periodicity)
              for i in reversed(range(span))]
    sparkline = [(p, values[(kpi.id, p.start)].value if (kpi.id, p.start) in values else None)
                 for p in window]
    latest_period = next((p for p, v in reversed(sparkline) if v is not None), None)
    if latest_period is None:
        return Card(kpi, None, None, trend(latest=None, previous=None, direction=kpi.direction),
                    sparkline, kpi.judge(None, target_on(targets, last.start)))

    def figure(period: periods.Period) -> PeriodFigure:
        point = values.get((kpi.id, period.start))
        target = target_on(targets, period.start)
        return PeriodFigure(period, point, target,
                            kpi.judge(point.value if point else None, target))

    latest, previous = figure(latest_period), figure(latest_period.previous())
    move = trend(latest=latest.point.value,
                 previous=previous.point.value if previous.point else None,
                 direction=kpi.direction)
    return Card(kpi, latest, previous, move, sparkline, latest.judgement)


def kpi_summary(*, principal: Principal, unit_code: str | None, generation: str,
                as_of: str | None = None, sector: str | None = None) -> Summary:
    """Every KPI the caller may see for a unit: the latest value within the sparkline's window
    up to the period containing `as_of` (a date, or a period label meaning its last day;
    default today), its target
    and status, the trend against the period before it, and the window's values."""
    try:
        day = (periods.parse(as_of).end - timedelta(days=1)) if as_of else timezone.localdate()
    except periods.PeriodError as exc:
        raise InvalidPeriod(str(exc)) from exc
    kpis = kpi_list_visible(principal=principal, sector=sector)
    units = reform()
    unit = units.get(unit_code or units.units[units.province_id].code, generation)
    if not on_ground(principal, units, unit):  # off one's ground only public KPIs show
        kpis = [kpi for kpi in kpis if kpi.is_public]
    span = conf.get("IOC_KPI_SPARKLINE_PERIODS")
    lasts = {kpi.id: periods.containing(day, kpi.periodicity) for kpi in kpis}
    windows = {kpi.id: (periods.shift(lasts[kpi.id].start, kpi.periodicity, -span),
                        lasts[kpi.id].start) for kpi in kpis}
    values = values_for(kpis=kpis, windows=windows, unit=unit, generation=generation,
                        reform=units)
    targets = targets_of(kpis=kpis, unit_id=unit.id)
    cards = [_card(kpi, values, targets[kpi.id], lasts[kpi.id], span) for kpi in kpis]
    return Summary(unit, generation, day, cards)
