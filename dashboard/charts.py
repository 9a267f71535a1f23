"""Inline SVG charts of the briefing, drawn here rather than by a chart library: a sparkline and
a series chart with its target and, when there is one, the forecast with its 80 % and 95 %
bands. Plain markup a browser and WeasyPrint both draw, with no script and no external file
(docs/adr/0018-strategic-dashboard-and-briefing.md). Every text is escaped; numbers are the
only data that reach attributes. The page's own charts (dashboard/static/dashboard/charts.js)
follow the same design."""
from dataclasses import dataclass
from html import escape

from .numbers import number_text

VALUE, TARGET, FORECAST = "#0b5cad", "#c62828", "#6a1b9a"
BAND80, BAND95 = "rgba(106,27,154,.28)", "rgba(106,27,154,.13)"


def _span(values: list[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        return low - pad, high + pad
    pad = (high - low) * 0.08
    return low - pad, high + pad


def sparkline(values: list[float | None], *, width: int = 120, height: int = 28,
              colour: str = VALUE) -> str:
    """A line through the values (gaps where there is none) and a dot on the last one."""
    known = [v for v in values if v is not None]
    if not known:
        return f'<svg class="spark" width="{width}" height="{height}" role="img" aria-hidden="true"></svg>'
    low, high = _span(known)
    step = (width - 4) / max(len(values) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return 2 + i * step, height - 2 - (v - low) / (high - low) * (height - 4)

    paths, run = [], []
    for i, v in enumerate(values):
        if v is None:
            if run:
                paths.append(run)
            run = []
        else:
            run.append(xy(i, v))
    if run:
        paths.append(run)
    lines = "".join(f'<polyline points="{_points(p)}" fill="none" stroke="{colour}" '
                    'stroke-width="1.5"/>' for p in paths)
    last = max(i for i, v in enumerate(values) if v is not None)
    x, y = xy(last, values[last])
    return (f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'aria-hidden="true">{lines}<circle cx="{x:.1f}" cy="{y:.1f}" r="2.2" '
            f'fill="{colour}"/></svg>')


def _points(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


@dataclass(frozen=True)
class SeriesPoint:
    """One period of a chart: its label, value and target (None: none)."""

    label: str
    value: float | None
    target: float | None


@dataclass(frozen=True)
class ForecastPoint:
    """One forecast period: the point forecast and its 80 % and 95 % bounds."""

    label: str
    value: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float


def series_chart(points: list[SeriesPoint], forecast: list[ForecastPoint], *, title: str,
                 decimals: int = 0, language: str = "vi", width: int = 720,
                 height: int = 240) -> str:
    """The series (solid), its target (dashed red) and the forecast (dashed, with bands)."""
    numbers = [p.value for p in points if p.value is not None]
    numbers += [p.target for p in points if p.target is not None]
    numbers += [v for f in forecast for v in (f.lo95, f.hi95, f.value)]
    if not numbers:
        return ""
    low, high = _span(numbers)
    left, right, top, bottom = 64, 12, 10, 26
    slots = len(points) + len(forecast)
    step = (width - left - right) / max(slots - 1, 1)

    def x(i: int) -> float:
        return left + i * step

    def y(v: float) -> float:
        return top + (high - v) / (high - low) * (height - top - bottom)

    parts = [f'<rect x="{left}" y="{top}" width="{width - left - right}" '
             f'height="{height - top - bottom}" fill="none" stroke="#d5dbe1"/>']
    for value in (low, (low + high) / 2, high):
        parts.append(f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" '
                     f'font-size="11" fill="#5f6b76">{escape(number_text(value, decimals, language))}</text>')
    if forecast:
        first = len(points) - 1 if points and points[-1].value is not None else len(points)
        base = [(first, points[-1].value)] if first < len(points) else []
        for lo, hi, fill in (("lo95", "hi95", BAND95), ("lo80", "hi80", BAND80)):
            upper = [(x(i), y(v)) for i, v in base] + [
                (x(len(points) + k), y(getattr(f, hi))) for k, f in enumerate(forecast)]
            lower = [(x(len(points) + k), y(getattr(f, lo))) for k, f in enumerate(forecast)]
            lower = list(reversed(lower)) + [(x(i), y(v)) for i, v in base]
            parts.append(f'<polygon class="band" points="{_points(upper + lower)}" fill="{fill}"/>')
        line = [(x(i), y(v)) for i, v in base] + [
            (x(len(points) + k), y(f.value)) for k, f in enumerate(forecast)]
        parts.append(f'<polyline class="forecast" points="{_points(line)}" fill="none" '
                     f'stroke="{FORECAST}" stroke-width="2" stroke-dasharray="5 3"/>')
    target = [(x(i), y(p.target)) for i, p in enumerate(points) if p.target is not None]
    if target:
        parts.append(f'<polyline class="target" points="{_points(target)}" fill="none" '
                     f'stroke="{TARGET}" stroke-width="1.5" stroke-dasharray="6 4"/>')
    run: list[tuple[float, float]] = []
    for i, p in enumerate(points + [SeriesPoint("", None, None)]):
        if p.value is None:
            if len(run) > 1:
                parts.append(f'<polyline class="value" points="{_points(run)}" fill="none" '
                             f'stroke="{VALUE}" stroke-width="2.2"/>')
            elif run:
                parts.append(f'<circle class="value" cx="{run[0][0]:.1f}" cy="{run[0][1]:.1f}" '
                             f'r="2.5" fill="{VALUE}"/>')
            run = []
        else:
            run.append((x(i), y(p.value)))
    labels = [(0, points[0].label)] if points else []
    if len(points) > 1:
        labels.append((len(points) - 1, points[-1].label))
    if forecast:
        labels.append((slots - 1, forecast[-1].label))
    for i, label in labels:
        anchor = "start" if i == 0 else "end" if i == slots - 1 else "middle"
        parts.append(f'<text x="{x(i):.1f}" y="{height - 8}" text-anchor="{anchor}" '
                     f'font-size="11" fill="#5f6b76">{escape(label)}</text>')
    return (f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
            + "".join(parts) + "</svg>")
