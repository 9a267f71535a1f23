"""Deteriorating trends and off-target streaks of one KPI series: pure functions (numpy, scipy),
no Django. docs/adr/0017-kpi-insights-trends-forecasts.md explains the choices.

Trend — the Mann–Kendall test over the last N periods. Its statistic S = Σ sign(xⱼ − xᵢ) over
the pairs i < j is the numerator of Kendall's tau between the values and their time index, and
`scipy.stats.kendalltau(time, values)` tests exactly that hypothesis: the exact null
distribution when there are no tied values and n ≤ 33 (scipy's "auto"), otherwise the normal
approximation with the variance corrected for tied values,
Var(S) = [n(n−1)(2n+5) − Σ t(t−1)(2t+5)] / 18 (no continuity correction). The time index has no
ties, so tau-b equals MK's tau up to the tie normalisation. The magnitude is the Theil–Sen slope
(the median of the pairwise slopes, `scipy.stats.theilslopes`), robust to an outlier. Missing
periods keep their place on the time axis (the index is the period's position, not the rank).

Seasons — twelve months of a seasonal KPI (dengue cases, tourist arrivals) rise or fall with
the calendar, and the test above reads the season as a trend (on the demo, a dengue season
flagged 51 of 192 units). Given a season length m and a longer window in which every season
has at least two values, the seasonal Kendall test (Hirsch, Slack & Smith 1982) is used
instead: S and Var(S) are summed over the seasons, each season (a month of the year) compared
only with itself in other years — "compared with the same period of earlier years", the
comparison the province's reports make — with a continuity correction,
Z = (S ∓ 1) / √Var(S); its slope is the median of the within-season pairwise slopes per period.

"Deteriorating": p < alpha (two-sided) and the slope in the KPI's bad direction — rising for
"lower is better" (accidents), falling for "higher is better" (revenue). Fewer than
`min_points` values in the window: "insufficient", never a verdict.

Streak — the latest run of consecutive periods judged AMBER or RED by kpi/status.py's `judge`
(the same rule as the KPI cards), counted back from the latest period that has a value; a
period without a value or without a target ends the run."""
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

from kpi.status import AMBER, HIGHER, LOWER, RED, judge

DETERIORATING, IMPROVING, NO_TREND, INSUFFICIENT = (
    "deteriorating", "improving", "no_trend", "insufficient")
MANN_KENDALL, SEASONAL_KENDALL = "mann-kendall", "seasonal-kendall"


@dataclass(frozen=True)
class TrendResult:
    """The verdict and its evidence (None where there are too few values to say)."""

    verdict: str
    n: int
    window: int
    alpha: float
    method: str = MANN_KENDALL
    season: int = 1
    tau: float | None = None
    p: float | None = None
    slope: float | None = None              # per period (Theil–Sen, or seasonal Sen)
    slope_pct_of_mean: float | None = None  # the slope in % of the window's mean (per period)
    change_pct: float | None = None         # the slope over the window's span, in % of the mean
    mean: float | None = None
    first: float | None = None
    last: float | None = None
    first_period: str | None = None
    last_period: str | None = None

    @property
    def deteriorating(self) -> bool:
        return self.verdict == DETERIORATING

    def evidence(self) -> dict:
        """A JSON-ready dict of the numbers (rounded for people, not for computation)."""
        found = asdict(self)
        for key in ("tau", "p", "slope", "slope_pct_of_mean", "change_pct", "mean"):
            if found[key] is not None:
                found[key] = float(f"{found[key]:.6g}")
        return found


def _s_and_variance(values: np.ndarray) -> tuple[float, float]:
    """Mann–Kendall's S of values in time order and its variance corrected for ties."""
    n = len(values)
    signs = np.sign(values[None, :] - values[:, None])
    s = float(np.triu(signs, 1).sum())
    _, ties = np.unique(values, return_counts=True)
    variance = (n * (n - 1) * (2 * n + 5) - float(np.sum(ties * (ties - 1) * (2 * ties + 5))))
    return s, variance / 18


def seasonal_kendall(index: np.ndarray, values: np.ndarray,
                     season: int) -> tuple[float, float, float]:
    """(tau, two-sided p, slope per period) of the seasonal Kendall test; seasons are the
    positions modulo `season`."""
    total_s = total_var = pairs = 0.0
    slopes: list[np.ndarray] = []
    for group in range(season):
        chosen = index % season == group
        x, t = values[chosen], index[chosen]
        if len(x) < 2:
            continue
        s, variance = _s_and_variance(x)
        total_s, total_var, pairs = total_s + s, total_var + variance, pairs + len(x) * (
            len(x) - 1) / 2
        upper = np.triu_indices(len(x), 1)
        slopes.append((x[upper[1]] - x[upper[0]]) / (t[upper[1]] - t[upper[0]]))
    if total_var <= 0:
        return 0.0, 1.0, 0.0
    z = (total_s - np.sign(total_s)) / math.sqrt(total_var)
    return total_s / pairs, float(2 * stats.norm.sf(abs(z))), float(np.median(
        np.concatenate(slopes)))


def _seasons_covered(values: Sequence[float | None], season: int) -> bool:
    counts = [sum(1 for i in range(g, len(values), season) if values[i] is not None)
              for g in range(season)]
    return min(counts) >= 2


def trend_detect(values: Sequence[float | None], *, direction: str,
                 labels: Sequence[str] | None = None, window: int = 12, alpha: float = 0.05,
                 min_points: int = 6, season: int = 1,
                 seasonal_window: int | None = None) -> TrendResult:
    """Whether `values` (oldest first, None where a period has no value) drift significantly
    in the bad direction for a KPI of `direction`: Mann–Kendall over the last `window` periods,
    or — with `season` > 1 and every season twice in the last `seasonal_window` periods — the
    seasonal Kendall test over those."""
    if direction not in (HIGHER, LOWER):
        raise ValueError(f"unknown direction {direction!r}")
    if window < 3 or min_points < 3 or not 0 < alpha < 1:
        raise ValueError("window and min_points must be ≥ 3 and alpha in (0, 1)")
    if not all(v is None or math.isfinite(v) for v in values):
        raise ValueError("a KPI value is not a finite number")
    method, span = MANN_KENDALL, window
    if season > 1 and seasonal_window and seasonal_window >= 2 * season and _seasons_covered(
            list(values)[-seasonal_window:], season):
        method, span = SEASONAL_KENDALL, seasonal_window
    offset = max(len(values) - span, 0)
    positions = [i for i in range(offset, len(values)) if values[i] is not None]
    kept = np.array([values[i] for i in positions], dtype=float)
    index = np.array(positions, dtype=float) - offset
    base = {"n": len(kept), "window": span, "alpha": alpha, "method": method,
            "season": season if method == SEASONAL_KENDALL else 1}
    if len(kept) < max(min_points, 3):
        return TrendResult(INSUFFICIENT, **base)
    evidence = {**base, "mean": float(kept.mean()), "first": float(kept[0]),
                "last": float(kept[-1]),
                "first_period": labels[positions[0]] if labels is not None else None,
                "last_period": labels[positions[-1]] if labels is not None else None}
    if np.ptp(kept) == 0:  # a constant series: no pair is ordered, tau is undefined
        return TrendResult(NO_TREND, tau=0.0, p=1.0, slope=0.0, slope_pct_of_mean=0.0,
                           change_pct=0.0, **evidence)
    if method == SEASONAL_KENDALL:
        tau, p, slope = seasonal_kendall(index, kept, season)
    else:
        tau, p = stats.kendalltau(index, kept, method="auto")
        slope = float(stats.theilslopes(kept, index).slope)
    mean = evidence["mean"]
    per_mean = 100 * slope / abs(mean) if mean else None
    change = float(per_mean * (index[-1] - index[0])) if per_mean is not None else None
    worse = tau > 0 if direction == LOWER else tau < 0
    significant = bool(p < alpha) and slope != 0
    verdict = (DETERIORATING if significant and worse else IMPROVING if significant
               else NO_TREND)
    return TrendResult(verdict, tau=float(tau), p=float(p), slope=slope,
                       slope_pct_of_mean=per_mean, change_pct=change, **evidence)


@dataclass(frozen=True)
class StreakResult:
    """The latest run of off-target periods (length 0: the latest judged period is on target,
    or nothing could be judged)."""

    length: int
    periods: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    shortfall_pct: tuple[float | None, ...] = ()
    values: tuple[float, ...] = ()
    targets: tuple[float, ...] = ()
    min_length: int = 3

    @property
    def off_target(self) -> bool:
        return self.length >= self.min_length

    @property
    def all_red(self) -> bool:
        return bool(self.statuses) and all(s == RED for s in self.statuses)

    def evidence(self) -> dict:
        """A JSON-ready dict: the run's periods (oldest first), statuses, values and targets."""
        return {"length": self.length, "min_length": self.min_length,
                "periods": list(self.periods), "statuses": list(self.statuses),
                "values": list(self.values), "targets": list(self.targets),
                "shortfall_pct": [None if s is None or not math.isfinite(s)
                                  else round(s, 2) for s in self.shortfall_pct]}


def streak_detect(points: Sequence[tuple[str, float | None, float | None]], *, direction: str,
                  amber_pct: float, min_length: int = 3) -> StreakResult:
    """The latest run of consecutive AMBER/RED periods in `points` — (label, value, target),
    oldest first — judged by kpi.status.judge. Trailing periods without a value are skipped
    (the data may simply not be in yet); any other period that is not AMBER/RED ends the run."""
    if min_length < 1:
        raise ValueError("min_length must be ≥ 1")
    rows = list(points)
    while rows and rows[-1][1] is None:
        rows.pop()
    run: list[tuple] = []
    for label, value, target in reversed(rows):
        verdict = judge(value=value, target=target, direction=direction, amber_pct=amber_pct)
        if verdict.status not in (AMBER, RED):
            break
        run.append((label, verdict.status, verdict.shortfall_pct, value, target))
    run.reverse()
    return StreakResult(len(run), tuple(r[0] for r in run), tuple(r[1] for r in run),
                        tuple(r[2] for r in run), tuple(float(r[3]) for r in run),
                        tuple(float(r[4]) for r in run), min_length)
