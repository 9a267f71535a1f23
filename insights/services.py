"""Writes of the KPI insights: the stored forecast of a series (computed when missing or when
the history it was computed from changed), and the forecast endpoint's answer.

A forecast is valid while its history is: `history_digest` fingerprints the values and
periods it was fitted on, the menu's version and the settings that shape it, so a corrected
old value, a new period or a new model menu each make the next read recompute it."""
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from access.principal import Principal
from kpi import periods
from kpi.models import Kpi
from kpi.selectors import kpi_get_visible, unit_for
from kpi.units import RefUnit, reform

from . import conf
from .errors import HorizonInvalid
from .forecasts import InsufficientHistory, forecast_select
from .models import Forecast
from .series import KpiSeries, unit_series

MENU_VERSION = 1  # bump when insights/candidates.py or the backtest changes


def history_digest(kpi: Kpi, history: list[periods.Period], values: list[float]) -> str:
    """The fingerprint of what a forecast is computed from."""
    payload = json.dumps([MENU_VERSION, kpi.periodicity, conf.get("IOC_INSIGHTS_MAX_HORIZON"),
                          conf.get("IOC_INSIGHTS_BACKTEST_ORIGINS"),
                          [p.label for p in history], [repr(v) for v in values]])
    return hashlib.sha256(payload.encode()).hexdigest()


def _labelled(points: list[dict], last: periods.Period) -> list[dict]:
    period, labelled = last, []
    for point in points:
        period = period.next()
        labelled.append({"period": period.label, **{k: point[k] for k in (
            "value", "lo80", "hi80", "lo95", "hi95")}})
    return labelled


def forecast_compute(*, series: KpiSeries, now: datetime | None = None) -> Forecast | None:
    """The series' forecast: the stored one when its history is unchanged, else computed and
    stored; None (and nothing stored) when the history is too short for a backtest."""
    history, values = series.history()
    key = {"kpi": series.kpi, "unit_id": series.unit.id, "generation": series.generation}
    digest = history_digest(series.kpi, history, values)
    stored = Forecast.objects.filter(**key, history_digest=digest).first()
    if stored is not None:
        return stored
    try:
        result = forecast_select(values, periodicity=series.kpi.periodicity,
                                 horizon=conf.get("IOC_INSIGHTS_MAX_HORIZON"),
                                 origins=conf.get("IOC_INSIGHTS_BACKTEST_ORIGINS"))
    except InsufficientHistory:
        Forecast.objects.filter(**key).delete()
        return None
    row = Forecast(**key, computed_at=now or timezone.now(), model=result.model,
                   mape=result.error, metric=result.metric, candidates=result.candidates,
                   points=_labelled(result.points, history[-1]),
                   based_on_last_period=history[-1].start, history_length=len(values),
                   history_digest=digest,
                   backtest={"origins": result.origins, "horizon": result.horizon,
                             "season": result.season, "error_by_step": result.by_step})
    with transaction.atomic():  # one statement: two requests computing at once both succeed
        Forecast.objects.bulk_create(
            [row], update_conflicts=True, unique_fields=["kpi", "unit", "generation"],
            update_fields=["computed_at", "model", "mape", "metric", "candidates", "points",
                           "based_on_last_period", "history_length", "history_digest",
                           "backtest"])
    return row


@dataclass(frozen=True)
class ForecastAnswer:
    """What the forecast endpoint shows: the series' history, the forecast (None: too little
    history) cut to the horizon asked for."""

    kpi: Kpi
    unit: RefUnit
    generation: str
    history: list[tuple[periods.Period, float]]
    forecast: Forecast | None
    horizon: int

    @property
    def points(self) -> list[dict]:
        return self.forecast.points[:self.horizon] if self.forecast else []


def forecast_for(*, principal: Principal, code: str, unit_code: str | None, generation: str,
                 horizon: int | None = None) -> ForecastAnswer:
    """A visible KPI's forecast at a unit on the caller's ground (404s as the KPI API's),
    computed on demand when missing or out of date."""
    horizon = horizon or conf.get("IOC_INSIGHTS_FORECAST_HORIZON")
    most = conf.get("IOC_INSIGHTS_MAX_HORIZON")
    if not 1 <= horizon <= most:
        raise HorizonInvalid(f"Số kỳ dự báo (horizon) phải từ 1 đến {most}.",
                             details={"horizon": horizon, "max": most})
    kpi = kpi_get_visible(principal=principal, code=code)
    units = reform()
    unit = unit_for(principal=principal, units=units, code=unit_code, generation=generation,
                    kpis=[kpi])
    series = unit_series(kpis=[kpi], unit=unit, generation=generation, reform=units,
                         spans=conf.get("IOC_INSIGHTS_HISTORY"),
                         today=timezone.localdate())[0]
    history, values = series.history()
    forecast = forecast_compute(series=series)
    return ForecastAnswer(kpi, unit, generation, list(zip(history, values)), forecast, horizon)
