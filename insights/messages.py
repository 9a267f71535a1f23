"""The words of a KPI_ATTENTION alert: title, detail (the evidence in a sentence each) and the
dashboard link. Vietnamese, as the alert mail is; the numbers stay in the alert's evidence."""
from urllib.parse import urlencode

from kpi.models import Kpi
from kpi.units import PRE_REFORM, RefUnit

from .attention import Item
from .models import AttentionKind
from .trends import SEASONAL_KENDALL

STATUS_WORDS = {"AMBER": "vàng", "RED": "đỏ"}


def _number(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "·").replace(".", ",").replace("·", ".")


def _trend_sentence(kpi: Kpi, evidence: dict) -> str:
    way = "tăng" if evidence["slope"] > 0 else "giảm"
    test = ("Kendall theo mùa (so với cùng kỳ các năm trước)"
            if evidence.get("method") == SEASONAL_KENDALL else "Mann–Kendall")
    pct = evidence.get("slope_pct_of_mean")
    per = f" ({pct:+.1f} % trung bình mỗi kỳ)".replace(".", ",") if pct is not None else ""
    return (f"Xu hướng {way} xấu đi trong {evidence['n']} kỳ "
            f"{evidence['first_period']}–{evidence['last_period']}: từ "
            f"{_number(evidence['first'], kpi.decimals)} đến "
            f"{_number(evidence['last'], kpi.decimals)} {kpi.unit_vi}{per}; kiểm định "
            f"{test} tau = {_number(evidence['tau'], 2)}, p = {_number(evidence['p'], 3)}.")


def _streak_sentence(kpi: Kpi, evidence: dict) -> str:
    words = ", ".join(STATUS_WORDS.get(s, s) for s in evidence["statuses"])
    many = "Ít nhất " if evidence.get("capped_at_window") else ""
    return (f"{many}{evidence['length']} kỳ liên tiếp không đạt chỉ tiêu "
            f"({evidence['periods'][0]}–{evidence['periods'][-1]}: {words}); kỳ gần nhất "
            f"{_number(evidence['values'][-1], kpi.decimals)} so với chỉ tiêu "
            f"{_number(evidence['targets'][-1], kpi.decimals)} {kpi.unit_vi}.")


def dashboard_link(kpi: Kpi, unit: RefUnit, generation: str) -> str:
    """The dashboard page of the KPI at the unit."""
    query = {"kpi": kpi.code, "unit": unit.code}
    if generation == PRE_REFORM and unit.level != "PROVINCE":
        query["generation"] = generation
    return f"/dashboard/?{urlencode(query)}"


def alert_text(kpi: Kpi, unit: RefUnit, generation: str,
               items: list[Item]) -> tuple[str, str, str]:
    """(title, detail, link) of the alert about a KPI at a unit."""
    kinds = {item.kind for item in items}
    reason = " và ".join(label for kind, label in (
        (AttentionKind.TREND, "xu hướng xấu đi"),
        (AttentionKind.STREAK, "nhiều kỳ không đạt chỉ tiêu")) if kind in kinds)
    title = f"{kpi.name_vi} — {unit.name}: {reason}"
    detail = "\n".join(_trend_sentence(kpi, item.evidence) if item.kind == AttentionKind.TREND
                       else _streak_sentence(kpi, item.evidence) for item in items)
    return title, detail, dashboard_link(kpi, unit, generation)
