"""Forecasts of one KPI series: every eligible candidate (insights/candidates.py) is scored by a
rolling-origin backtest and the one with the lowest error forecasts the next periods. Pure
(numpy, statsmodels), no Django; deterministic.

Backtest: origins at the last k periods (o = n−k … n−1). At each origin the model is refitted
on the values before it and forecasts up to h periods, as far as the data reaches (so the
error covers the horizons shown, not only the next period). Errors of all origins and steps
are pooled into one figure:
- MAPE = mean |a − f| / |a| × 100, when every actual of the backtest is non-zero;
- otherwise sMAPE = mean 2|a − f| / (|a| + |f|) × 100 (0 when both are 0) for every candidate
  of the series, and the answer says "sMAPE": skipping zero actuals would hide the errors made
  exactly where small counts (a commune's road deaths) are zero.
A model that fails at any origin is "failed" (it cannot be trusted on this series); a model
whose shortest training series is longer than the data before the first origin is not tried.
The lowest error wins; on equal errors the simpler model (earlier in CANDIDATES).

A series that was never negative gets its forecasts and bounds clipped at 0 (counts, amounts,
rates cannot go below it; an additive model's interval otherwise would)."""
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .candidates import CANDIDATES, Candidate, Fit, ModelFailed

MAPE, SMAPE = "MAPE", "sMAPE"
OK, FAILED = "ok", "failed"
MIN_TRAIN = 6      # values before the first origin, at least
MIN_ORIGINS = 3    # backtest origins, at least
SEASON = {"DAY": 7, "MONTH": 12, "QUARTER": 4, "YEAR": 1}


class InsufficientHistory(ValueError):
    """Too few values to backtest any model."""


def error_metric(actuals: Sequence[float]) -> str:
    """MAPE when every actual is non-zero, else sMAPE."""
    return MAPE if all(a != 0 for a in actuals) else SMAPE


def error_of(pairs: Sequence[tuple[float, float]], metric: str) -> float:
    """The pooled error (%) of (actual, forecast) pairs by `metric`."""
    if not pairs:
        raise ValueError("no forecast to score")
    actual = np.array([a for a, _ in pairs], dtype=float)
    forecast = np.array([f for _, f in pairs], dtype=float)
    if metric == MAPE:
        return float(np.mean(np.abs(actual - forecast) / np.abs(actual)) * 100)
    scale = np.abs(actual) + np.abs(forecast)
    terms = np.divide(2 * np.abs(actual - forecast), scale, out=np.zeros_like(scale),
                      where=scale > 0)
    return float(np.mean(terms) * 100)


@dataclass(frozen=True)
class Backtest:
    """One candidate's backtest: (origin, step, actual, forecast) rows, or why it failed."""

    model: str
    rows: tuple[tuple[int, int, float, float], ...] = ()
    failure: str | None = None

    @property
    def ok(self) -> bool:
        """The model fitted at every origin."""
        return self.failure is None


def backtest(y: Sequence[float], candidate: Candidate, *, m: int, k: int, h: int) -> Backtest:
    """Refit `candidate` at each of the last k origins and forecast up to h steps from it."""
    series = np.asarray(y, dtype=float)
    n, rows = len(series), []
    for origin in range(n - k, n):
        steps = min(h, n - origin)
        try:
            fit = candidate.forecast(series[:origin], steps, m, intervals=False)
        except ModelFailed as exc:
            return Backtest(candidate.code, failure=str(exc)[:200])
        rows += [(origin, s + 1, float(series[origin + s]), float(fit.mean[s]))
                 for s in range(steps)]
    return Backtest(candidate.code, tuple(rows))


@dataclass(frozen=True)
class ForecastResult:
    """The chosen model, its backtest error, every candidate's, and the forecast points."""

    model: str
    error: float
    metric: str
    candidates: list[dict]
    points: list[dict]
    n: int
    origins: int
    horizon: int
    season: int
    by_step: list[float | None] = field(default_factory=list)


def eligible(n_train: int, m: int) -> list[Candidate]:
    """Candidates whose shortest training series fits in `n_train` values."""
    found = []
    for candidate in CANDIDATES:
        need = candidate.min_train(m)
        if need is not None and n_train >= need:
            found.append(candidate)
    return found


def _by_step(rows: Sequence[tuple], metric: str, h: int) -> list[float | None]:
    return [error_of([(a, f) for _, s, a, f in rows if s == step], metric)
            if any(s == step for _, s, _, _ in rows) else None for step in range(1, h + 1)]


def _points(fit: Fit, clip: bool) -> list[dict]:
    points = []
    for i in range(len(fit.mean)):
        values = [fit.mean[i], fit.lo80[i], fit.hi80[i], fit.lo95[i], fit.hi95[i]]
        if clip:
            values = [max(v, 0.0) for v in values]
        value, lo80, hi80, lo95, hi95 = (float(v) for v in values)
        points.append({"step": i + 1, "value": value, "lo80": min(lo80, value),
                       "hi80": max(hi80, value), "lo95": min(lo95, lo80, value),
                       "hi95": max(hi95, hi80, value)})
    return points


def forecast_select(y: Sequence[float], *, periodicity: str, horizon: int = 3,
                    origins: int = 6) -> ForecastResult:
    """Backtest the candidates on `y` (oldest first, no gaps), choose the best and forecast
    `horizon` periods with 80 % / 95 % intervals (InsufficientHistory when too short)."""
    series = np.asarray(y, dtype=float)
    if not np.all(np.isfinite(series)):
        raise ValueError("a KPI value is not a finite number")
    if horizon < 1 or origins < 1:
        raise ValueError("horizon and origins must be ≥ 1")
    n, m = len(series), SEASON[periodicity]
    k = min(origins, n - MIN_TRAIN)
    if k < MIN_ORIGINS:
        raise InsufficientHistory(f"{n} values: at least {MIN_TRAIN + MIN_ORIGINS} are needed")
    actuals = series[n - k:]
    metric = error_metric(actuals)
    tests = [backtest(series, c, m=m, k=k, h=horizon) for c in eligible(n - k, m)]
    scored = [(error_of([(a, f) for _, _, a, f in t.rows], metric), i, t)
              for i, t in enumerate(tests) if t.ok]
    candidates = [{"model": t.model, "mape": None, "status": FAILED, "reason": t.failure}
                  for t in tests if not t.ok]
    candidates += [{"model": t.model, "mape": error, "status": OK} for error, _, t in scored]
    order = {c.code: i for i, c in enumerate(CANDIDATES)}
    candidates.sort(key=lambda c: order[c["model"]])
    clip = bool(series.min() >= 0)
    for error, _, chosen in sorted(scored, key=lambda s: (s[0], s[1])):
        try:
            fit = _chosen(chosen.model).forecast(series, horizon, m)
        except ModelFailed:
            continue  # fits the backtest's shorter series, not the whole one: the next best
        return ForecastResult(chosen.model, error, metric, candidates, _points(fit, clip), n,
                              k, horizon, m, _by_step(chosen.rows, metric, horizon))
    raise InsufficientHistory("no model could be fitted")  # NAIVE always can: not reached


def _chosen(code: str) -> Candidate:
    return next(c for c in CANDIDATES if c.code == code)
