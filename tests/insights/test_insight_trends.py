"""The trend detector on constructed series — rising, falling, flat, noisy — for both directions
of a KPI, the seasonal test on seasonal series, and off-target streaks judged by kpi.status."""
import math

import numpy as np
import pytest
from scipy import stats

from insights.trends import (DETERIORATING, IMPROVING, INSUFFICIENT, MANN_KENDALL, NO_TREND,
                             SEASONAL_KENDALL, seasonal_kendall, streak_detect, trend_detect)

RISING = [100 + 3 * i + (1 if i % 3 == 0 else -1) for i in range(12)]
FALLING = list(reversed(RISING))
LABELS = [f"2025-{m:02d}" for m in range(1, 13)]


@pytest.mark.parametrize(("values", "direction", "verdict"), [
    (RISING, "LOWER", DETERIORATING),   # accidents going up: worse
    (RISING, "HIGHER", IMPROVING),      # revenue going up: better
    (FALLING, "HIGHER", DETERIORATING),  # revenue going down: worse
    (FALLING, "LOWER", IMPROVING),
    ([50.0] * 12, "LOWER", NO_TREND),   # flat
    ([50.0] * 12, "HIGHER", NO_TREND),
])
def test_rising_falling_and_flat_series_by_the_kpis_direction(values, direction, verdict):
    result = trend_detect(values, direction=direction, labels=LABELS)
    assert result.verdict == verdict
    assert result.n == 12 and result.method == MANN_KENDALL
    if verdict != NO_TREND:
        assert result.p < 0.05 and abs(result.tau) > 0.8
        assert math.copysign(1, result.slope) == (1 if values is RISING else -1)
        assert result.first == values[0] and result.last == values[-1]
        assert (result.first_period, result.last_period) == ("2025-01", "2025-12")


def test_noise_around_a_flat_mean_is_not_a_trend():
    noisy = list(200 + np.random.default_rng(38).normal(0, 15, 12))
    for direction in ("LOWER", "HIGHER"):
        result = trend_detect(noisy, direction=direction)
        assert result.verdict == NO_TREND and result.p > 0.3


def test_on_pure_noise_the_test_errs_about_as_often_as_alpha_says():
    rng = np.random.default_rng(2025)
    results = [trend_detect(list(rng.normal(200, 15, 12)), direction="LOWER")
               for _ in range(600)]
    significant = np.mean([r.p < 0.05 for r in results])
    flagged = np.mean([r.deteriorating for r in results])
    assert 0.02 <= significant <= 0.08  # the exact null distribution: ≈ 5 %
    assert 0.005 <= flagged <= 0.05     # the bad direction only: about half of it


def test_a_small_but_steady_drift_is_found_and_its_size_reported():
    values = [1000 + 2 * i + 0.5 * (-1) ** i for i in range(12)]  # +0.2 % a month
    result = trend_detect(values, direction="LOWER")
    assert result.deteriorating
    assert result.slope == pytest.approx(2.0, abs=0.5)
    assert result.slope_pct_of_mean == pytest.approx(100 * result.slope / np.mean(values))
    assert result.change_pct == pytest.approx(result.slope_pct_of_mean * 11)


def test_too_few_points_is_insufficient_never_a_verdict():
    values = [None] * 7 + [1.0, 2.0, 3.0, 4.0, 5.0]  # five values in the window
    result = trend_detect(values, direction="LOWER")
    assert result.verdict == INSUFFICIENT and result.n == 5 and result.p is None
    assert trend_detect([1.0, 2, 3, 4, 5, 6], direction="LOWER").deteriorating
    assert trend_detect([1.0, 2, 3, 4, 5, 6], direction="LOWER", min_points=7).verdict == \
        INSUFFICIENT


def test_only_the_last_window_counts_and_gaps_keep_their_place():
    old_rise_then_flat = [float(i) for i in range(24)] + [30.0, 29, 31, 30, 29, 31] * 2
    assert trend_detect(old_rise_then_flat, direction="LOWER").verdict == NO_TREND
    assert trend_detect(old_rise_then_flat, direction="LOWER", window=36).deteriorating
    gappy = [1.0, None, 3.0, None, 5.0, 6.0, None, 8.0, 9.0, 10.0, None, 12.0]
    result = trend_detect(gappy, direction="LOWER", labels=LABELS)
    assert result.n == 8 and result.slope == pytest.approx(1.0)  # per period, not per value
    assert result.first_period == "2025-01" and result.last_period == "2025-12"


def test_the_p_value_is_mann_kendalls_with_the_tie_correction():
    values = [5.0, 3, 3, 6, 7, 7, 7, 9, 8, 10, 12, 12, 11, 15, 14] * 1
    n = len(values)
    s = sum(np.sign(values[j] - values[i]) for i in range(n) for j in range(i + 1, n))
    _, ties = np.unique(values, return_counts=True)
    variance = (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in ties)) / 18
    p_by_hand = 2 * stats.norm.sf(abs(s) / math.sqrt(variance))  # ties: normal approximation
    result = trend_detect(values, direction="LOWER", window=n)
    assert result.p == pytest.approx(p_by_hand, rel=1e-9)
    assert result.deteriorating


def _seasonal(years: int, drift: float = 0.0, seed: int = 1) -> list[float]:
    rng = np.random.default_rng(seed)
    shape = [1, 1, 1, 1, 1.2, 1.5, 2, 3, 3.5, 3, 2, 1.3]  # a dengue season
    return [100 * shape[i % 12] * (1 + drift * i) + rng.normal(0, 4) for i in range(12 * years)]


def test_a_season_is_not_a_trend_with_enough_history():
    cases = _seasonal(3)[:-2]  # the window ends in October, near the peak
    plain = trend_detect(cases, direction="LOWER", window=12)
    assert plain.deteriorating  # twelve months from trough to peak look like a rise …
    seasonal = trend_detect(cases, direction="LOWER", window=12, season=12, seasonal_window=36)
    assert seasonal.method == SEASONAL_KENDALL and seasonal.season == 12
    assert seasonal.verdict == NO_TREND  # … which the same months of other years explain


def test_a_seasonal_series_that_grows_year_on_year_is_deteriorating():
    cases = _seasonal(3, drift=0.01)
    result = trend_detect(cases, direction="LOWER", season=12, seasonal_window=36)
    assert result.method == SEASONAL_KENDALL and result.deteriorating
    assert trend_detect(cases, direction="HIGHER", season=12, seasonal_window=36).verdict == \
        IMPROVING


def test_without_two_values_of_every_season_the_plain_test_is_used():
    short = _seasonal(2)[:20]
    assert trend_detect(short, direction="LOWER", season=12, seasonal_window=36).method == \
        MANN_KENDALL


def test_the_seasonal_kendall_statistic_by_hand():
    values = np.array([1.0, 10, 2, 12, 4, 11, 5, 13])  # two seasons, four years
    index = np.arange(8.0)
    tau, p, slope = seasonal_kendall(index, values, 2)
    # season 0: 1, 2, 4, 5 → S = 6; season 1: 10, 12, 11, 13 → S = 4; Var = 2 × 4·3·13/18
    s, variance = 10, 2 * 4 * 3 * 13 / 18
    assert tau == pytest.approx(s / 12)
    assert p == pytest.approx(2 * stats.norm.sf((s - 1) / math.sqrt(variance)))
    # within-season slopes per period (positions two apart are one year): median 7/12
    assert slope == pytest.approx(np.median([1 / 2, 3 / 4, 4 / 6, 2 / 2, 3 / 4, 1 / 2,
                                             2 / 2, 1 / 4, 3 / 6, -1 / 2, 1 / 4, 2 / 2]))


def test_a_streak_is_the_latest_run_of_amber_or_red_periods():
    points = [("2025-01", 100, 100), ("2025-02", 80, 100), ("2025-03", 95, 100),
              ("2025-04", 70, 100), ("2025-05", 85, 100), ("2025-06", None, 100)]
    result = streak_detect(points, direction="HIGHER", amber_pct=10, min_length=3)
    assert result.off_target and result.length == 4  # trailing no-value period skipped
    assert result.periods == ("2025-02", "2025-03", "2025-04", "2025-05")
    assert result.statuses == ("RED", "AMBER", "RED", "RED")
    assert result.evidence()["shortfall_pct"] == [20.0, 5.0, 30.0, 15.0]
    assert not result.all_red


def test_a_period_on_target_or_without_a_value_or_target_ends_the_streak():
    lower = [("a", 12, 10), ("b", 12, 10), ("c", 9, 10), ("d", 12, 10), ("e", 12.5, 10)]
    result = streak_detect(lower, direction="LOWER", amber_pct=10, min_length=3)
    assert result.length == 2 and not result.off_target
    gap = [("a", 12, 10), ("b", None, 10), ("c", 12, 10), ("d", 12, 10)]
    assert streak_detect(gap, direction="LOWER", amber_pct=10).length == 2
    no_target = [("a", 12, 10), ("b", 12, None), ("c", 12, 10), ("d", 12, 10)]
    assert streak_detect(no_target, direction="LOWER", amber_pct=10).length == 2
    red = [("a", 20, 10), ("b", 20, 10), ("c", 20, 10)]
    assert streak_detect(red, direction="LOWER", amber_pct=10).all_red


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        trend_detect([1.0] * 12, direction="UP")
    with pytest.raises(ValueError):
        trend_detect([1.0, float("nan")] * 6, direction="LOWER")
    with pytest.raises(ValueError):
        streak_detect([], direction="LOWER", amber_pct=10, min_length=0)
