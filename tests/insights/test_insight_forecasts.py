"""Forecasts: the rolling-origin backtest, its error by hand, the choice of model on a
seasonal series, prediction intervals, zero actuals, failed models — on small constructed
series (pure functions: no database)."""
import warnings

import numpy as np
import pytest

from insights.candidates import BY_CODE, Candidate, Fit, ModelFailed
from insights.forecasts import (MAPE, SMAPE, InsufficientHistory, backtest, error_of,
                                forecast_select)


def seasonal_series(n: int = 36, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    months = np.arange(n)
    return 500 + 4 * months + 120 * np.sin(2 * np.pi * months / 12) + rng.normal(0, 8, n)


def test_the_naive_backtest_error_equals_a_hand_computation():
    y = [10.0, 12, 11, 13, 15, 14, 16, 18, 17, 20, 22, 21]
    result = backtest(y, BY_CODE["NAIVE"], m=1, k=3, h=2)
    # origins 9, 10, 11: the forecast is the value before the origin, for up to two steps
    assert [(o, s, a, f) for o, s, a, f in result.rows] == [
        (9, 1, 20, 17), (9, 2, 22, 17), (10, 1, 22, 20), (10, 2, 21, 20), (11, 1, 21, 22)]
    by_hand = np.mean([3 / 20, 5 / 22, 2 / 22, 1 / 21, 1 / 21]) * 100
    assert error_of([(a, f) for *_, a, f in result.rows], MAPE) == pytest.approx(by_hand)
    chosen = forecast_select(y, periodicity="YEAR", horizon=2, origins=3)
    naive = next(c for c in chosen.candidates if c["model"] == "NAIVE")
    assert naive["mape"] == pytest.approx(by_hand)
    assert chosen.metric == MAPE and chosen.origins == 3


@pytest.mark.slow  # two backtests of the full menu: 0.3–5 s with the machine's load
def test_on_a_seasonal_series_a_seasonal_model_wins_over_naive():
    result = forecast_select(seasonal_series(), periodicity="MONTH", horizon=3, origins=6)
    errors = {c["model"]: c["mape"] for c in result.candidates if c["status"] == "ok"}
    assert {"NAIVE", "SNAIVE", "ETS_ANA", "ETS_AADA"} <= set(errors)
    assert result.model in {"SNAIVE", "ETS_ANA", "ETS_AADA"}
    assert result.error == min(errors.values()) and result.error < errors["NAIVE"] / 2
    assert errors["ETS_AADA"] < errors["NAIVE"]
    assert [c["model"] for c in result.candidates] == sorted(
        (c["model"] for c in result.candidates), key=list(BY_CODE).index)  # menu order
    again = forecast_select(seasonal_series(), periodicity="MONTH", horizon=3, origins=6)
    assert again == result  # deterministic


def test_intervals_contain_the_forecast_and_widen_with_the_horizon():
    y = seasonal_series(24) + np.linspace(0, 50, 24)
    result = forecast_select(y, periodicity="YEAR", horizon=6, origins=4)  # non-seasonal menu
    points = result.points
    assert [p["step"] for p in points] == [1, 2, 3, 4, 5, 6]
    for p in points:
        assert p["lo95"] <= p["lo80"] <= p["value"] <= p["hi80"] <= p["hi95"]
    widths = [p["hi95"] - p["lo95"] for p in points]
    assert all(b >= a - 1e-9 for a, b in zip(widths, widths[1:]))
    assert widths[-1] > widths[0]
    naive = BY_CODE["NAIVE"].forecast(y, 4, 1)
    assert np.allclose((naive.hi95 - naive.mean) / (naive.hi95 - naive.mean)[0],
                       np.sqrt([1, 2, 3, 4]))  # a random walk's √h


def test_zero_actuals_switch_the_error_to_smape_for_every_candidate():
    y = [3.0, 0, 2, 1, 0, 4, 1, 0, 2, 3, 0, 1]
    result = forecast_select(y, periodicity="YEAR", horizon=2, origins=4)
    assert result.metric == SMAPE
    assert all(c["mape"] is None or 0 <= c["mape"] <= 200 for c in result.candidates)
    assert error_of([(0.0, 0.0), (0.0, 2.0), (4.0, 2.0)], SMAPE) == pytest.approx(
        (0 + 200 + 2 * 2 / 6 * 100) / 3)
    assert all(p["lo95"] >= 0 for p in result.points)  # counts are never negative


def test_too_short_a_history_is_insufficient():
    with pytest.raises(InsufficientHistory):
        forecast_select([1.0, 2, 3, 4, 5, 6, 7, 8], periodicity="MONTH")
    assert forecast_select([1.0, 2, 3, 4, 5, 6, 7, 8, 9], periodicity="MONTH").origins == 3


def test_a_model_that_does_not_converge_fails_quietly():
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    def grumbling(y, h, m, intervals):
        warnings.warn("optimiser gave up", ConvergenceWarning)
        return Fit(*(np.full(h, y[-1]) for _ in range(5)))

    def broken(y, h, m, intervals):
        raise np.linalg.LinAlgError("singular matrix")

    with warnings.catch_warnings(record=True) as leaked:
        warnings.simplefilter("always")
        failed = backtest([1.0] * 12, Candidate("X", lambda m: 3, grumbling), m=1, k=3, h=1)
        with pytest.raises(ModelFailed):
            Candidate("Y", lambda m: 3, broken).forecast(np.ones(12), 2, 1)
    assert not failed.ok and "converge" in failed.failure
    assert leaked == []


def test_the_seasonal_menu_needs_two_seasons_before_the_first_origin():
    result = forecast_select(seasonal_series(28), periodicity="MONTH", horizon=3, origins=6)
    assert not {"SNAIVE", "ETS_ANA", "ETS_AADA", "SARIMA"} & {
        c["model"] for c in result.candidates}  # 22 values before the first origin
