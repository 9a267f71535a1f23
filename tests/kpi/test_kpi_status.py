"""Status logic: every branch, for both directions — grey without a value or a target, green
meeting the target, amber within the margin, red beyond it — and the trend arrow."""
import pytest

from kpi.status import AMBER, GREEN, GREY, NO_TARGET, NO_VALUE, RED, judge, trend

HIGHER, LOWER = "HIGHER", "LOWER"


@pytest.mark.parametrize("direction, value, target, expected", [
    # higher is better: target 100, amber within 10 % below
    (HIGHER, 120.0, 100.0, GREEN), (HIGHER, 100.0, 100.0, GREEN), (HIGHER, 95.0, 100.0, AMBER),
    (HIGHER, 90.0, 100.0, AMBER), (HIGHER, 89.99, 100.0, RED), (HIGHER, -5.0, 100.0, RED),
    # lower is better: target 100, amber within 10 % above
    (LOWER, 80.0, 100.0, GREEN), (LOWER, 100.0, 100.0, GREEN), (LOWER, 105.0, 100.0, AMBER),
    (LOWER, 110.0, 100.0, AMBER), (LOWER, 110.01, 100.0, RED), (LOWER, 500.0, 100.0, RED),
    # a zero target has no relative margin
    (HIGHER, 0.0, 0.0, GREEN), (HIGHER, -0.1, 0.0, RED), (LOWER, 0.0, 0.0, GREEN),
    (LOWER, 1.0, 0.0, RED),
    # negative targets (a growth rate): the margin is taken on the target's size
    (HIGHER, -2.1, -2.0, AMBER), (LOWER, -1.9, -2.0, AMBER), (HIGHER, -3.0, -2.0, RED),
])
def test_status_against_the_target(direction, value, target, expected):
    judgement = judge(value=value, target=target, direction=direction, amber_pct=10.0)
    assert judgement.status == expected and judgement.reason is None


@pytest.mark.parametrize("direction", [HIGHER, LOWER])
def test_grey_without_a_value_even_with_a_target(direction):
    judgement = judge(value=None, target=100.0, direction=direction, amber_pct=10.0)
    assert (judgement.status, judgement.reason) == (GREY, NO_VALUE)


@pytest.mark.parametrize("direction", [HIGHER, LOWER])
def test_grey_without_a_target(direction):
    judgement = judge(value=42.0, target=None, direction=direction, amber_pct=10.0)
    assert (judgement.status, judgement.reason) == (GREY, NO_TARGET)
    assert judge(value=None, target=None, direction=direction, amber_pct=10.0).reason == NO_VALUE


@pytest.mark.parametrize("direction, value, shortfall", [
    (HIGHER, 95.0, 5.0), (HIGHER, 110.0, -10.0), (LOWER, 95.0, -5.0), (LOWER, 110.0, 10.0)])
def test_shortfall_is_signed_by_direction(direction, value, shortfall):
    judgement = judge(value=value, target=100.0, direction=direction, amber_pct=10.0)
    assert judgement.shortfall_pct == pytest.approx(shortfall)


def test_a_zero_margin_makes_any_shortfall_red():
    assert judge(value=99.9, target=100.0, direction=HIGHER, amber_pct=0).status == RED


def test_an_unknown_direction_is_a_bug_not_a_status():
    with pytest.raises(ValueError):
        judge(value=1.0, target=1.0, direction="SIDEWAYS", amber_pct=10.0)


@pytest.mark.parametrize("direction, latest, previous, arrow, good", [
    (HIGHER, 12.0, 10.0, "up", True), (HIGHER, 8.0, 10.0, "down", False),
    (LOWER, 12.0, 10.0, "up", False), (LOWER, 8.0, 10.0, "down", True),
    (HIGHER, 10.0, 10.0, "flat", None), (LOWER, 10.0, 10.0, "flat", None)])
def test_trend_arrow_and_whether_it_is_good(direction, latest, previous, arrow, good):
    move = trend(latest=latest, previous=previous, direction=direction)
    assert (move.arrow, move.good) == (arrow, good)
    assert move.change == pytest.approx(latest - previous)
    assert move.change_pct == pytest.approx(100 * (latest - previous) / previous)


def test_no_trend_without_both_values_and_no_percent_from_zero():
    assert trend(latest=5.0, previous=None, direction=HIGHER).arrow is None
    assert trend(latest=None, previous=5.0, direction=LOWER).arrow is None
    from_zero = trend(latest=5.0, previous=0.0, direction=HIGHER)
    assert (from_zero.arrow, from_zero.change_pct) == ("up", None)
