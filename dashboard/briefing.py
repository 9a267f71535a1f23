"""The briefing: one file for a unit and period that a leader takes into a meeting — every
KPI the caller may read with its status, trend and sparkline, grouped by sector; the
attention list; the chosen KPI's series with target and forecast; and a map of that KPI over
the unit's children with its legend and ranking.

HTML (default): one self-contained document — inline CSS, inline SVG charts, the map as a
folium document with Leaflet inlined (dashboard.briefing_map) in an <iframe srcdoc>; no URL to
anything outside the file, so it opens offline. PDF: the same document through WeasyPrint with
the map as a static SVG (a PDF runs no script). Data text is escaped by the template.
For staff who may export data (access.export_data, as the planner's briefing)."""
import importlib.util
from dataclasses import dataclass
from urllib.parse import quote

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from access.principal import Principal
from kpi import periods
from kpi.selectors import Card, kpi_series, kpi_summary

from . import conf, outlook
from .briefing_map import MapUnit, folium_map, svg_map
from .charts import ForecastPoint, SeriesPoint, series_chart, sparkline
from .classes import NO_VALUE, quantile_classes
from .errors import BriefingForbidden, BriefingFormatUnavailable
from .labels import ARROWS, GENERATIONS, GREY_REASONS, LEVELS, SECTORS, STATUSES
from .numbers import ascii_slug, number_text, percent_text
from .selectors import KpiAcross, kpi_across_units

HTML, PDF = "html", "pdf"
FORMATS = (HTML, PDF)
STATUS_FILL = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828", "grey": NO_VALUE}


@dataclass(frozen=True)
class Briefing:
    """A rendered briefing: bytes, their type and the download header."""

    content: bytes
    content_type: str
    disposition: str


def pdf_available() -> bool:
    """Whether WeasyPrint (and so PDF output) is installed."""
    return importlib.util.find_spec("weasyprint") is not None


def briefing_build(*, principal: Principal, unit_code: str | None, generation: str,
                   as_of: str | None, kpi_code: str | None, sector: str | None,
                   file_format: str = HTML) -> Briefing:
    """The briefing of the KPIs the caller may read for a unit, as of a period."""
    if not principal.has("access.export_data"):
        raise BriefingForbidden("Tài khoản không có quyền xuất dữ liệu (báo cáo nhanh).")
    if file_format == PDF and not pdf_available():
        raise BriefingFormatUnavailable("Máy chủ chưa cài WeasyPrint: chỉ xuất được HTML.")
    html, name = briefing_html(principal=principal, unit_code=unit_code, generation=generation,
                               as_of=as_of, kpi_code=kpi_code, sector=sector,
                               file_format=file_format)
    if file_format == PDF:
        return Briefing(_pdf(html), "application/pdf", _disposition(name, "pdf"))
    return Briefing(html.encode(), "text/html; charset=utf-8", _disposition(name, "html"))


def briefing_html(*, principal: Principal, unit_code: str | None, generation: str,
                  as_of: str | None, kpi_code: str | None, sector: str | None,
                  file_format: str = HTML) -> tuple[str, str]:
    """The briefing's HTML (for the PDF: with a static SVG map) and its file name's stem."""
    english = get_language() == "en"
    summary = kpi_summary(principal=principal, unit_code=unit_code, generation=generation,
                          as_of=as_of, sector=sector)
    code = kpi_code or _default_kpi(summary.cards)
    across = (kpi_across_units(principal=principal, code=code, unit_code=summary.unit.code,
                               generation=generation, as_of=as_of) if code else None)
    now = timezone.localtime()
    context = {
        "title": _("Báo cáo nhanh: {unit}").format(unit=summary.unit.name),
        "unit": summary.unit, "level": LEVELS.get(summary.unit.level.lower(), ""),
        "generation": GENERATIONS[generation], "as_of": summary.as_of,
        "made": _("Lập lúc {time} (giờ Việt Nam)").format(time=f"{now:%H:%M %d/%m/%Y}"),
        "sector": SECTORS.get(sector) if sector else None,
        "counts": _status_counts(summary.cards),
        "sectors": _sector_rows(summary.cards, english),
        "attention": _attention(principal, summary.unit.code, generation, sector, english),
        "chart": _chart(principal, across, english) if across else None,
        "map": _map(across, english, file_format) if across else None,
        "pdf": file_format == PDF,
    }
    name = f"bao-cao-nhanh-{ascii_slug(summary.unit.name)}-{summary.as_of:%Y%m%d}"
    return render_to_string("dashboard/briefing.html", context), name


def _disposition(name: str, extension: str) -> str:
    return f'attachment; filename="{name}.{extension}"; filename*=UTF-8\'\'{quote(name)}.{extension}'


def _pdf(html: str) -> bytes:
    from weasyprint import HTML as Document

    def no_fetch(url: str, *args, **kwargs):  # everything is inline: fetch nothing at all
        raise ValueError(f"briefing PDF fetches nothing ({url[:40]})")

    return Document(string=html, url_fetcher=no_fetch).write_pdf()


def _default_kpi(cards: list[Card]) -> str | None:
    """The first red KPI, else amber, else any with a value."""
    for status in ("RED", "AMBER", "GREEN", "GREY"):
        for card in cards:
            if card.judgement.status == status and card.latest is not None:
                return card.kpi.code
    return None


def _status_counts(cards: list[Card]) -> list[dict]:
    counts = {key: 0 for key in STATUSES}
    for card in cards:
        counts[card.judgement.status.lower()] += 1
    return [{"status": key, "label": STATUSES[key], "count": n} for key, n in counts.items()]


def _status_label(status: str, reason: str | None) -> str:
    label = str(STATUSES[status])
    return f"{label} ({GREY_REASONS[reason]})" if reason in GREY_REASONS else label


def _sector_rows(cards: list[Card], english: bool) -> list[dict]:
    language = "en" if english else "vi"
    groups: dict[str, list[dict]] = {}
    for card in cards:
        kpi, latest = card.kpi, card.latest
        status = card.judgement.status.lower()
        groups.setdefault(kpi.sector, []).append({
            "code": kpi.code, "name": kpi.name(english),
            "unit": kpi.unit_en if english else kpi.unit_vi,
            "period": latest.period.label if latest else "–",
            "value": number_text(latest.point.value if latest else None, kpi.decimals, language),
            "target": number_text(latest.target if latest else None, kpi.decimals, language),
            "status": status, "status_label": _status_label(status, card.judgement.reason),
            "arrow": ARROWS.get(card.trend.arrow, ""), "good": card.trend.good,
            "change": percent_text(card.trend.change_pct, language),
            "spark": sparkline([v for _, v in card.sparkline])})
    order = list(SECTORS)
    return [{"code": code, "label": SECTORS.get(code, code), "rows": groups[code]}
            for code in sorted(groups, key=lambda c: order.index(c) if c in order else 99)]


def _attention(principal: Principal, unit_code: str, generation: str, sector: str | None,
               english: bool) -> list[dict] | None:
    items = outlook.attention_list(principal=principal, unit_code=unit_code,
                                   generation=generation, sector=sector)
    if items is None:
        return None
    return [{"name": (item["kpi"].get("name_en") if english else None) or item["kpi"]["name"],
             "unit": item.get("unit", {}).get("name", ""), "kind": item.get("kind_label")
             or item.get("kind"), "evidence": outlook.evidence_text(item, english),
             "since": item.get("since") or ""} for item in items]


def _chart(principal: Principal, across: KpiAcross, english: bool) -> dict:
    kpi = across.kpi
    span = conf.get("IOC_DASHBOARD_SERIES_PERIODS")
    first = periods.Period(periods.shift(across.period.start, kpi.periodicity, 1 - span),
                           kpi.periodicity)
    series = kpi_series(principal=principal, code=kpi.code, unit_code=across.unit.code,
                        generation=across.generation, since=first.label,
                        until=across.period.label)
    points = [SeriesPoint(f.period.label, f.point.value if f.point else None, f.target)
              for f in series.figures]
    while points and points[-1].value is None:  # up to the last value, as the page draws it
        points.pop()
    forecast = outlook.kpi_forecast(principal=principal, code=kpi.code,
                                    unit_code=across.unit.code, generation=across.generation,
                                    horizon=conf.get("IOC_DASHBOARD_FORECAST_HORIZON")) or {}
    aligned = bool(points) and forecast.get("based_on_last_period") == points[-1].label
    future = [ForecastPoint(p["period"], p["value"], p["lo80"], p["hi80"], p["lo95"], p["hi95"])
              for p in forecast.get("points", [])] if aligned else []
    language = "en" if english else "vi"
    title = f"{kpi.name(english)} ({kpi.unit_en if english else kpi.unit_vi})"
    mape = forecast.get("mape") if future else None
    return {"title": title,
            "svg": series_chart(points, future, title=title, decimals=kpi.decimals,
                                language=language),
            "forecast": bool(future),
            "model": forecast.get("model_label") or forecast.get("model"),
            "metric": "sMAPE" if forecast.get("metric") == "sMAPE" else "MAPE",
            "mape": number_text(mape, 1, language) if mape is not None else None}


def _range_text(low: float, high: float, decimals: int, language: str) -> str:
    low_text, high_text = (number_text(v, decimals, language) for v in (low, high))
    return low_text if low_text == high_text else f"{low_text} – {high_text}"


def _map(across: KpiAcross, english: bool, file_format: str) -> dict:
    kpi = across.kpi
    language = "en" if english else "vi"
    unit_text = kpi.unit_en if english else kpi.unit_vi
    classes = quantile_classes([f.point.value if f.point else None for f in across.children])
    if across.children:
        units = [MapUnit(f.unit.id, f"{f.unit.name}: {number_text(f.point.value if f.point else None, kpi.decimals, language)} {unit_text}",
                         classes.colour(f.point.value if f.point else None))
                 for f in across.children]
    else:  # a commune: the unit itself, coloured by its status
        status = across.own.judgement.status.lower()
        value = across.own.point.value if across.own.point else None
        units = [MapUnit(across.unit.id, f"{across.unit.name}: "
                         f"{number_text(value, kpi.decimals, language)} {unit_text}",
                         STATUS_FILL[status])]
    title = _("{kpi}, kỳ {period}").format(kpi=kpi.name(english), period=across.period.label)
    outline = across.unit.id if across.children else None
    drawn = (svg_map(units=units, outline_id=outline, title=title) if file_format == PDF
             else folium_map(units=units, outline_id=outline, title=title))
    legend = [{"colour": colour, "text": _range_text(low, high, kpi.decimals, language)}
              for low, high, colour in classes.ranges()]
    ranking = [{"rank": i, "name": f.unit.name,
                "value": number_text(f.point.value if f.point else None, kpi.decimals, language),
                "status": f.judgement.status.lower(),
                "status_label": STATUSES[f.judgement.status.lower()],
                "status_title": _status_label(f.judgement.status.lower(), f.judgement.reason)}
               for i, f in enumerate(across.children, start=1)]
    return {"title": title, "html": drawn if file_format != PDF else None,
            "svg": drawn if file_format == PDF else None, "legend": legend, "ranking": ranking,
            "level": LEVELS.get(across.level.lower(), "") if across.level else "",
            "unit_text": unit_text}
