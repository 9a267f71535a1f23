"""The candidate forecasting models: each one fits a training series and forecasts h periods
with 80 % and 95 % prediction intervals. Pure (numpy, statsmodels), no Django.

Every candidate has analytic intervals, so nothing is simulated and the results are
deterministic (no random seed is involved):
- NAIVE: the last value; intervals from the one-step differences' root mean square σ,
  σ√h (a random walk's);
- SNAIVE: the value one season earlier; σ from the seasonal differences, σ√(⌊(h−1)/m⌋+1);
- ETS(A,N,N), ETS(A,Ad,N), ETS(A,N,A), ETS(A,Ad,A): statsmodels' ETSModel (additive errors, so
  its `get_prediction` intervals are the exact ones of the state space form); seasonal models
  take heuristic initial states (two full seasons at least) — estimating the 12 seasonal
  states by likelihood made a fit 20–50× slower for no gain on our series;
- ARIMA(0,1,1) with drift and SARIMA(0,1,1)(0,1,1)m ("airline"): statsmodels' SARIMAX, its
  Kalman-filter intervals.

A statsmodels warning never leaks out: warnings are recorded, and a ConvergenceWarning or an
optimiser that reports no convergence makes the fit fail (ModelFailed), like an exception or a
non-finite forecast does. The backtest then counts the model as failed."""
import math
import warnings
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

Z80, Z95 = 1.2815515655446004, 1.959963984540054  # standard normal quantiles 0.9, 0.975


class ModelFailed(Exception):
    """A model could not be fitted to a series (did not converge, raised, gave no number)."""


@dataclass(frozen=True)
class Fit:
    """Forecasts of h periods: the point forecast and the bounds of both intervals."""

    mean: np.ndarray
    lo80: np.ndarray
    hi80: np.ndarray
    lo95: np.ndarray
    hi95: np.ndarray


def _normal(mean: np.ndarray, sd: np.ndarray) -> Fit:
    return Fit(mean, mean - Z80 * sd, mean + Z80 * sd, mean - Z95 * sd, mean + Z95 * sd)


@contextmanager
def quiet():
    """Run statsmodels with its warnings captured; a convergence warning fails the model."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        yield
    if any(issubclass(w.category, ConvergenceWarning) for w in caught):
        raise ModelFailed("did not converge")


def _rms(errors: np.ndarray) -> float:
    errors = errors[np.isfinite(errors)]
    if not len(errors):
        raise ModelFailed("no residuals to size the intervals")
    return float(math.sqrt(np.mean(errors ** 2)))


def naive(y: np.ndarray, h: int, m: int, intervals: bool = True) -> Fit:
    """The last value, with a random walk's intervals."""
    sigma = _rms(np.diff(y))
    steps = np.arange(1, h + 1)
    return _normal(np.full(h, y[-1], dtype=float), sigma * np.sqrt(steps))


def seasonal_naive(y: np.ndarray, h: int, m: int, intervals: bool = True) -> Fit:
    """The value of the same period one season earlier."""
    sigma = _rms(y[m:] - y[:-m])
    steps = np.arange(1, h + 1)
    mean = np.array([y[len(y) - m + (s - 1) % m] for s in steps], dtype=float)
    return _normal(mean, sigma * np.sqrt((steps - 1) // m + 1))


def _converged(results) -> None:
    retvals = getattr(results, "mle_retvals", None) or {}
    if retvals.get("converged") is False:
        raise ModelFailed("the optimiser did not converge")


def _means(mean) -> Fit:
    mean = np.asarray(mean, dtype=float)
    return Fit(mean, mean, mean, mean, mean)


def ets(y: np.ndarray, h: int, m: int, intervals: bool = True, *, trend: bool,
        seasonal: bool) -> Fit:
    """ETS with additive errors; a damped additive trend and additive seasons as asked."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    series = pd.Series(np.asarray(y, dtype=float))  # ETS predictions need a pandas index
    model = ETSModel(series, error="add", trend="add" if trend else None, damped_trend=trend,
                     seasonal="add" if seasonal else None,
                     seasonal_periods=m if seasonal else None,
                     initialization_method="heuristic" if seasonal else "estimated")
    results = model.fit(disp=False)
    _converged(results)
    if not intervals:
        return _means(results.forecast(h))
    start, end = len(y), len(y) + h - 1
    frame80 = results.get_prediction(start=start, end=end).summary_frame(alpha=0.20)
    frame95 = results.get_prediction(start=start, end=end).summary_frame(alpha=0.05)
    return Fit(frame80["mean"].to_numpy(), frame80["pi_lower"].to_numpy(),
               frame80["pi_upper"].to_numpy(), frame95["pi_lower"].to_numpy(),
               frame95["pi_upper"].to_numpy())


def sarima(y: np.ndarray, h: int, m: int, intervals: bool = True, *, seasonal: bool) -> Fit:
    """ARIMA(0,1,1) with drift, or the airline SARIMA(0,1,1)(0,1,1)m."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    model = SARIMAX(np.asarray(y, dtype=float), order=(0, 1, 1),
                    seasonal_order=(0, 1, 1, m) if seasonal else (0, 0, 0, 0),
                    trend=None if seasonal else "t")
    # No parameter covariance: the forecast intervals come from the Kalman filter, and the
    # numerical Hessian of the default "opg" would make each fit about 4× slower.
    results = model.fit(disp=False, cov_type="none")
    _converged(results)
    if not intervals:
        return _means(results.forecast(h))
    forecast = results.get_forecast(h)
    bounds80, bounds95 = forecast.conf_int(alpha=0.20), forecast.conf_int(alpha=0.05)
    return Fit(np.asarray(forecast.predicted_mean), bounds80[:, 0], bounds80[:, 1],
               bounds95[:, 0], bounds95[:, 1])


@dataclass(frozen=True)
class Candidate:
    """A model of the menu: its code, the shortest training series it accepts (None: not for
    this seasonal period) and its forecasting function."""

    code: str
    min_train: Callable[[int], int | None]
    run: Callable[..., Fit]

    def forecast(self, y: np.ndarray, h: int, m: int, *, intervals: bool = True) -> Fit:
        """Fit `y` and forecast h periods (ModelFailed when it cannot); without `intervals`
        the bounds repeat the point forecast (the backtest needs no more)."""
        try:
            with quiet():
                fit = self.run(np.asarray(y, dtype=float), h, m, intervals)
        except ModelFailed:
            raise
        except (ValueError, ArithmeticError, np.linalg.LinAlgError, IndexError) as exc:
            raise ModelFailed(f"{type(exc).__name__}: {exc}") from exc
        arrays = (fit.mean, fit.lo80, fit.hi80, fit.lo95, fit.hi95)
        if any(len(a) != h or not np.all(np.isfinite(a)) for a in arrays):
            raise ModelFailed("no finite forecast")
        return fit


def _seasonal(times: int, extra: int = 0, floor: int = 0) -> Callable[[int], int | None]:
    return lambda m: max(times * m + extra, floor) if m > 1 else None


# Simplest first: on equal backtest errors the earlier candidate wins.
CANDIDATES: tuple[Candidate, ...] = (
    Candidate("NAIVE", lambda m: 3, naive),
    Candidate("SNAIVE", _seasonal(2), seasonal_naive),
    Candidate("ETS_ANN", lambda m: 6,
              lambda y, h, m, i: ets(y, h, m, i, trend=False, seasonal=False)),
    Candidate("ETS_AADN", lambda m: 8,
              lambda y, h, m, i: ets(y, h, m, i, trend=True, seasonal=False)),
    Candidate("ETS_ANA", _seasonal(2, floor=10),
              lambda y, h, m, i: ets(y, h, m, i, trend=False, seasonal=True)),
    Candidate("ETS_AADA", _seasonal(2, floor=10),
              lambda y, h, m, i: ets(y, h, m, i, trend=True, seasonal=True)),
    Candidate("ARIMA", lambda m: 8, lambda y, h, m, i: sarima(y, h, m, i, seasonal=False)),
    Candidate("SARIMA", _seasonal(3, extra=2),
              lambda y, h, m, i: sarima(y, h, m, i, seasonal=True)),
)
BY_CODE = {c.code: c for c in CANDIDATES}
