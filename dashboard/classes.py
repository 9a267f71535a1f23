"""Quantile classes of a choropleth: the upper bounds at the quintiles and the maximum, without
repeats (few distinct values give fewer classes), each with a colour of a five-step palette —
the drill-down's rule (drilldown/static/drilldown/drill.js `classes`), over any value, not only
positive counts. The page draws the same classes (dashboard/static/dashboard/charts.js)."""
from dataclasses import dataclass

PALETTE = ["#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d"]  # ColorBrewer PuBu, 5
NO_VALUE = "#d9d9d9"


@dataclass(frozen=True)
class Classes:
    """Upper bounds (ascending) and their colours."""

    bounds: list[float]
    colours: list[str]

    def colour(self, value: float | None) -> str:
        """The colour of a value (NO_VALUE when there is none)."""
        if value is None or not self.bounds:
            return NO_VALUE
        for bound, colour in zip(self.bounds, self.colours):
            if value <= bound:
                return colour
        return self.colours[-1]

    def ranges(self) -> list[tuple[float, float, str]]:
        """(lower, upper, colour) per class; the first class starts at the smallest value."""
        return [(self.bounds[i - 1] if i else self.low, bound, colour)
                for i, (bound, colour) in enumerate(zip(self.bounds, self.colours))]

    low: float = 0.0


def quantile_classes(values: list[float | None]) -> Classes:
    """The classes of the values that are not None."""
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return Classes([], [])
    quantiles = [ordered[int(k * len(ordered) / 5)] for k in (1, 2, 3, 4)]
    bounds = sorted(set(quantiles + [ordered[-1]]))
    steps = len(PALETTE) - 1
    colours = [PALETTE[-1] if len(bounds) == 1 else PALETTE[round(i * steps / (len(bounds) - 1))]
               for i in range(len(bounds))]
    return Classes(bounds, colours, ordered[0])
