"""The Getis–Ord Gi* statistic on a set of grid cells, in numpy (ADR 0016 says why not esda).

For cell i among n cells with counts x, binary weights w_ij = 1 for j = i and for the cells
next to it (`Grid.neighbour_offsets`, inside the set), 0 otherwise (Getis & Ord 1992; Ord &
Getis 1995):

    Gi* = (Σ_j w_ij x_j − x̄ Σ_j w_ij) / (S · √((n Σ_j w_ij² − (Σ_j w_ij)²) / (n − 1)))

with x̄ the mean and S the (population) standard deviation of x over all n cells. Gi* is a
z-score; its p-value is two-sided under the normal approximation, and the classes are those of
ArcGIS's Hot Spot Analysis (Gi_Bin): hot or cold at 99 %, 95 % and 90 % confidence. The test
suite checks the values against esda's `G_Local(star=True, transform="B")`."""
import math
from dataclasses import dataclass

import numpy as np

from .grid import Grid

# (class, most p-value for it) from the strictest; the sign of z chooses hot or cold.
LEVELS = ((99, 0.01), (95, 0.05), (90, 0.10))
NOT_SIGNIFICANT = "not_significant"
CLASSES = (*(f"hot_{c}" for c, _ in LEVELS), *(f"cold_{c}" for c, _ in LEVELS),
           NOT_SIGNIFICANT)


@dataclass(frozen=True)
class GiStar:
    """Per cell (in the order given): z-score, two-sided p-value and class; and the moments."""

    z: np.ndarray
    p: np.ndarray
    classes: np.ndarray
    mean: float
    std: float


def cell_keys(i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """One int64 per cell (i, j); the grid's indices are far inside ±2³¹ here."""
    return (np.asarray(i, np.int64) << 32) + (np.asarray(j, np.int64) & 0xFFFFFFFF)


def neighbour_sums(grid: Grid, i: np.ndarray, j: np.ndarray,
                   x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Σ_j w_ij x_j, Σ_j w_ij) per cell, neighbours counted only when they are in the set."""
    keys = cell_keys(i, j)
    order = np.argsort(keys)
    ordered = keys[order]
    lag = np.zeros(len(keys), float)
    weight = np.zeros(len(keys), float)
    for di, dj in grid.neighbour_offsets(i):
        wanted = cell_keys(i + di, j + dj)
        at = np.minimum(np.searchsorted(ordered, wanted), len(ordered) - 1)
        found = ordered[at] == wanted
        lag[found] += x[order[at[found]]]
        weight += found
    return lag, weight


def gi_star(grid: Grid, i: np.ndarray, j: np.ndarray, x: np.ndarray) -> GiStar:
    """Gi* of every cell (i, j) with count x. No variation (every count equal, or fewer than
    two cells) means nothing stands out: z = 0, p = 1."""
    x = np.asarray(x, float)
    n = len(x)
    mean = float(x.mean()) if n else 0.0
    std = float(np.sqrt(max((x ** 2).mean() - mean ** 2, 0.0))) if n else 0.0
    z = np.zeros(n)
    if n > 1 and std > 0:
        lag, weight = neighbour_sums(grid, i, j, x)
        spread = np.sqrt(np.maximum(n * weight - weight ** 2, 0.0) / (n - 1))
        defined = spread > 0
        z[defined] = (lag[defined] - mean * weight[defined]) / (std * spread[defined])
    p = np.array([math.erfc(abs(value) / math.sqrt(2)) for value in z]) if n else np.zeros(0)
    return GiStar(z=z, p=p, classes=classify(z, p), mean=mean, std=std)


def classify(z: np.ndarray, p: np.ndarray) -> np.ndarray:
    """The class of each cell: `hot_99` … `cold_90`, or `not_significant`."""
    classes = np.full(len(z), NOT_SIGNIFICANT, dtype=object)
    for level, most in reversed(LEVELS):  # strictest last, so it wins
        hit = p <= most
        classes[hit & (z > 0)] = f"hot_{level}"
        classes[hit & (z < 0)] = f"cold_{level}"
    return classes
