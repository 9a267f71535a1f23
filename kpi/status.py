"""Status of a KPI value against its target, and its trend: pure functions, no Django.

- no value for the period → GREY (reason "no_value"); a value but no target → GREY ("no_target");
- meeting the target (≥ for "higher is better", ≤ for "lower is better") → GREEN;
- missing it by at most `amber_pct` % of the target → AMBER; by more → RED.
A target of zero has no relative margin: anything worse than it is RED."""
from dataclasses import dataclass

GREEN, AMBER, RED, GREY = "GREEN", "AMBER", "RED", "GREY"
NO_VALUE, NO_TARGET = "no_value", "no_target"
HIGHER, LOWER = "HIGHER", "LOWER"
UP, DOWN, FLAT = "up", "down", "flat"


@dataclass(frozen=True)
class Judgement:
    """A status, why it is grey (if it is), and how far the value falls short of the target in
    % of the target (positive: worse than the target; None when it cannot be said)."""

    status: str
    reason: str | None = None
    shortfall_pct: float | None = None


def judge(*, value: float | None, target: float | None, direction: str,
          amber_pct: float) -> Judgement:
    """The status of `value` against `target` for a KPI of `direction` (HIGHER or LOWER)."""
    if direction not in (HIGHER, LOWER):
        raise ValueError(f"unknown direction {direction!r}")
    if value is None:
        return Judgement(GREY, NO_VALUE)
    if target is None:
        return Judgement(GREY, NO_TARGET)
    shortfall = (target - value) if direction == HIGHER else (value - target)
    relative = 100 * shortfall / abs(target) if target else None
    if shortfall <= 0:
        return Judgement(GREEN, None, relative)
    if target and shortfall <= abs(target) * amber_pct / 100:
        return Judgement(AMBER, None, relative)
    return Judgement(RED, None, relative)


@dataclass(frozen=True)
class Trend:
    """The move from the previous period's value to the latest: arrow, whether it is a move
    in the good direction, the change and the change in % of the previous value."""

    arrow: str | None
    good: bool | None
    change: float | None
    change_pct: float | None


NO_TREND = Trend(None, None, None, None)


def trend(*, latest: float | None, previous: float | None, direction: str) -> Trend:
    """The trend between two consecutive periods (no trend when either value is missing)."""
    if latest is None or previous is None:
        return NO_TREND
    change = latest - previous
    change_pct = 100 * change / abs(previous) if previous else None
    if abs(change) <= 1e-9 * max(abs(latest), abs(previous), 1.0):
        return Trend(FLAT, None, 0.0, 0.0 if previous else None)
    arrow = UP if change > 0 else DOWN
    return Trend(arrow, (arrow == UP) == (direction == HIGHER), change, change_pct)
