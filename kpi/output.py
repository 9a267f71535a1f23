"""The API's JSON shapes of series figures, summary cards and units (plain dicts: the
serializers in kpi/api.py describe them for the OpenAPI schema)."""
from .selectors import Card, PeriodFigure
from .series import RECORDED
from .units import RefUnit


def _status(code: str) -> str:
    return code.lower()


def unit_data(unit: RefUnit, generation: str) -> dict:
    """A unit as the KPI answers name it."""
    return {"code": unit.code, "name": unit.name, "level": unit.level.lower(),
            "generation": unit.generation or generation}


def figure_data(figure: PeriodFigure) -> dict:
    """One period of a series: value, target, status and where the value came from."""
    point = figure.point
    provenance = None
    if point is not None and point.origin == RECORDED:
        provenance = {"source": point.source.lower(), "run": point.run_id,
                      "recorded_at": point.recorded_at, "note": point.note}
    return {"period": figure.period.label, "start": figure.period.start,
            "end": figure.period.end, "value": point.value if point else None,
            "target": figure.target, "status": _status(figure.judgement.status),
            "status_reason": figure.judgement.reason,
            "shortfall_pct": figure.judgement.shortfall_pct,
            "origin": point.origin if point else None, "provenance": provenance}


def card_data(card: Card) -> dict:
    """One KPI of the summary: definition essentials, latest figure, trend, sparkline."""
    kpi = card.kpi
    return {
        "code": kpi.code, "name": kpi.name_vi, "name_en": kpi.name_en, "sector": kpi.sector,
        "unit": kpi.unit_vi, "unit_en": kpi.unit_en, "direction": kpi.direction,
        "periodicity": kpi.periodicity, "decimals": kpi.decimals, "is_public": kpi.is_public,
        "status": _status(card.judgement.status), "status_reason": card.judgement.reason,
        "latest": figure_data(card.latest) if card.latest else None,
        "previous": figure_data(card.previous) if card.previous else None,
        "trend": {"arrow": card.trend.arrow, "good": card.trend.good,
                  "change": card.trend.change, "change_pct": card.trend.change_pct},
        "sparkline": [{"period": period.label, "value": value}
                      for period, value in card.sparkline],
    }
