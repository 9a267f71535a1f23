"""What the insights app says — the needs-attention list and a KPI's forecast — for the
briefing, in the insights API's own shapes (insights.api), or None when that app is not
installed here. The page asks the insights API itself and says "chưa có" when it cannot."""
from django.apps import apps

from access.principal import Principal

from .numbers import number_text, percent_text


def insights_installed() -> bool:
    """Whether the insights app is part of this project."""
    return apps.is_installed("insights")


def attention_list(*, principal: Principal, unit_code: str | None, generation: str,
                   sector: str | None, limit: int = 50) -> list[dict] | None:
    """The attention API's `results` at the unit (None: no insights app)."""
    if not insights_installed():
        return None
    from insights.api import attention_data
    from insights.selectors import attention_list_visible

    found = attention_list_visible(principal=principal, unit_code=unit_code,
                                   generation=generation, sector=sector, limit=limit)
    return [attention_data(item) for item in found.items]


def kpi_forecast(*, principal: Principal, code: str, unit_code: str | None, generation: str,
                 horizon: int) -> dict | None:
    """The forecast API's answer for a KPI and unit (None: no insights app)."""
    if not insights_installed():
        return None
    from insights import conf as insights_conf
    from insights.api import forecast_data
    from insights.services import forecast_for

    horizon = min(horizon, insights_conf.get("IOC_INSIGHTS_MAX_HORIZON"))
    return forecast_data(forecast_for(principal=principal, code=code, unit_code=unit_code,
                                      generation=generation, horizon=horizon))


def evidence_text(item: dict, english: bool) -> str:
    """The evidence of an attention item in words: Mann–Kendall's tau and p with the
    Theil–Sen slope of a trend, or the periods of an off-target streak."""
    evidence = item.get("evidence") or {}
    language = "en" if english else "vi"
    if item.get("kind") == "STREAK":
        spans = evidence.get("periods") or []
        count = evidence.get("length") or len(spans)
        text = (f"{count} periods in a row off target" if english
                else f"{count} kỳ liên tiếp không đạt")
        return f"{text}: {spans[0]} → {spans[-1]}" if spans else text
    parts = []
    if isinstance(evidence.get("tau"), (int, float)):
        parts.append(f"tau = {number_text(evidence['tau'], 2, language)}")
    if isinstance(evidence.get("p"), (int, float)):
        parts.append(f"p = {evidence['p']:.2g}")
    if isinstance(evidence.get("slope"), (int, float)):
        slope = f"{evidence['slope']:.3g}"
        parts.append(f"slope = {slope}/period" if english else f"độ dốc = {slope}/kỳ")
    if isinstance(evidence.get("change_pct"), (int, float)):
        change = percent_text(evidence["change_pct"], language)
        parts.append(f"change {change}" if english else f"thay đổi {change}")
    return "; ".join(parts)
