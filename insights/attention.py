"""From a KPI series to what needs attention: a deteriorating trend (insights.trends) and a
streak of periods off target, each with its evidence, the period it started and a severity.

Severity: a streak whose last `min` periods are all RED is CRITICAL, other streaks and trends
are WARNINGs; an alert takes the highest of its KPI's items at the unit."""
from dataclasses import dataclass
from datetime import date

from kpi.status import RED

from . import conf
from .forecasts import SEASON
from .models import AttentionKind, Severity
from .series import KpiSeries
from .trends import streak_detect, trend_detect


@dataclass(frozen=True)
class Item:
    """One reason a KPI at a unit needs attention."""

    kind: str
    severity: str
    since: date
    evidence: dict


def _trend(series: KpiSeries) -> Item | None:
    window = conf.get("IOC_INSIGHTS_TREND_WINDOW")[series.kpi.periodicity]
    result = trend_detect(series.values, labels=series.labels, direction=series.kpi.direction,
                          window=window, alpha=conf.get("IOC_INSIGHTS_TREND_ALPHA"),
                          min_points=conf.get("IOC_INSIGHTS_TREND_MIN_POINTS"),
                          season=SEASON[series.kpi.periodicity],
                          seasonal_window=conf.get("IOC_INSIGHTS_TREND_HISTORY")[
                              series.kpi.periodicity])
    if not result.deteriorating:
        return None
    since = series.periods[series.labels.index(result.first_period)].start
    return Item(AttentionKind.TREND, Severity.WARNING, since,
                {**result.evidence(), "direction": series.kpi.direction})


def _streak(series: KpiSeries) -> Item | None:
    window = conf.get("IOC_INSIGHTS_TREND_WINDOW")[series.kpi.periodicity]
    minimum = conf.get("IOC_INSIGHTS_STREAK_MIN")
    points = list(zip(series.labels, series.values, series.targets))[-window:]
    result = streak_detect(points, direction=series.kpi.direction,
                           amber_pct=series.kpi.amber_margin_pct, min_length=minimum)
    if not result.off_target:
        return None
    since = series.periods[series.labels.index(result.periods[0])].start
    critical = all(s == RED for s in result.statuses[-minimum:])
    return Item(AttentionKind.STREAK, Severity.CRITICAL if critical else Severity.WARNING,
                since, {**result.evidence(), "capped_at_window": result.length >= window})


def attention_items(series: KpiSeries) -> list[Item]:
    """What needs attention in the series (empty: nothing)."""
    return [item for item in (_trend(series), _streak(series)) if item is not None]


def highest(severities: list[str]) -> str:
    """The highest severity of a list."""
    return Severity.CRITICAL if Severity.CRITICAL in severities else Severity.WARNING
