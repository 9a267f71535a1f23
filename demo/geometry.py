"""Deterministic APPROXIMATE polygons for the administrative units of Thanh Hóa.

The kit (``fixtures/thanh-hoa``, see SOURCES.md) has no legal boundaries: only the
real province outline, synthetic Voronoi districts, the 2021 and 2025-01 commune
lists and the official 2025 old→new crosswalk. So every commune polygon here is
SYNTHETIC: right district, right crosswalk links, plausible size, NOT the real
boundary. Demo maps only.

Method (recursive weighted bisection, hierarchical):

1. The Voronoi districts overlap a little (391/394 by ~0.09 km², 406/407 by a
   sliver), so in code order each district first loses what lower codes cover.
2. In each 2021 district, a *leaf* is a crosswalk row (old commune, new unit) of
   an old commune of that district (2021 district from the snapshot, so Đông
   Sơn's communes stay in 405), weight 1/k for a commune split into k units. A
   vanished 2021 commune gets a leaf of weight 1 in its absorber's first
   (lowest-code) new unit, right after the absorber.
3. The district is split among its new units (code order, weight = sum of leaf
   weights), then each unit's region among its leaves: cut with a straight line
   perpendicular to the longer side of the minimum rotated rectangle where the
   area fraction equals the weight fraction (bisection), recurse on both halves.
4. A cut ending on an earlier cut leaves a vertex the leaf across lacks; grid
   rounding would move it off that leaf's edge (~1e-8 deg² slivers). So each leaf
   first gets its neighbours' vertices (``shapely.snap``, 1e-9°), then is snapped
   to the 1e-6° grid; all other units are unions of leaves: no gaps, no overlaps.

Vanished communes (12 of the 2021 list, missing from the 2025-01 list, merged
around 2024-12-01 into a neighbour the kit does not name) have an INFERRED, not
official, absorber (``ApproximateUnits.absorbed_2024_inferred``). Rule, on the
final polygons: the 2025-01 commune of the same 2021 district sharing the longest
border (within ~1 m is a tie → lowest code; none touching → nearest centroid).
The leaf order needs absorbers before polygons exist: start from the preceding
code in the district (the next one for the first code), build, apply the rule,
and rebuild with its answer until both agree (a fixed point, a few rounds).
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry, BaseMultipartGeometry

GRID = 1e-6  # degrees (~0.1 m); every derived polygon has its vertices on this grid
_NODE_TOLERANCE = 1e-9  # degrees; float round-off of cut points is ~1e-14, the grid is 1e-6
_BISECTION_STEPS = 40
_FAR = 10.0  # degrees; half-planes reach far beyond the province (~2° across)
_MAX_ABSORBER_ROUNDS = 6
_BORDER_TIE = 1e-5  # degrees (~1 m): closer border lengths are a tie, so grid noise can't decide

Leaf = tuple[str, str]  # (2021 commune code, new 2025 code)


@dataclass(frozen=True)
class ApproximateUnits:
    """SYNTHETIC polygons of every unit level (not legal boundaries); keys are GSO/NSO codes.

    A vanished commune's area is inside its absorber's ``communes_pre2025`` polygon and
    inside the ``crosswalk_parts`` entry of the absorber's lowest-code new unit.
    """

    province: MultiPolygon  # the real outline (Natural Earth) as MultiPolygon
    districts_2021: dict[str, MultiPolygon]  # 27 codes, '380'.. '407' incl. '405'
    district_380_after_2024: MultiPolygon  # 380 ∪ 405 (Đông Sơn merged 2024-12-01)
    communes_2021: dict[str, MultiPolygon]  # 559 codes
    communes_pre2025: dict[str, MultiPolygon]  # 547 codes; absorber ∪ its vanished ones
    absorbed_2024: dict[str, str]  # vanished 2021 code -> absorber code, INFERRED
    communes_2025: dict[str, MultiPolygon]  # 166 new codes
    crosswalk_parts: dict[tuple[str, str], MultiPolygon]  # (old, new) -> part (558)

    # The data kit does not say who absorbed the vanished communes; we inferred it.
    absorbed_2024_inferred: ClassVar[bool] = True


@dataclass(frozen=True)
class _Kit:
    """The tabular facts the geometry is built from."""

    province: MultiPolygon
    districts: dict[str, MultiPolygon]  # clean coverage of the Voronoi inputs
    district_2021: dict[str, str]  # 2021 commune -> 2021 district
    pre2025: list[str]  # 2025-01 commune codes
    rows: list[Leaf]  # crosswalk (old pre2025 code, new code)
    vanished: list[str]  # 2021 codes absent from the 2025-01 list


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _as_multi(geom: BaseGeometry) -> MultiPolygon:
    """Keep the polygonal parts of ``geom`` (cuts can add lines/points) as a MultiPolygon."""
    polygons: list[Polygon] = []
    for part in shapely.get_parts(geom):
        if isinstance(part, Polygon) and not part.is_empty:
            polygons.append(part)
        elif isinstance(part, BaseMultipartGeometry):  # a collection nested in a collection
            polygons.extend(_as_multi(part).geoms)
    return MultiPolygon(polygons)


def _snap(geom: BaseGeometry) -> MultiPolygon:
    """Round to the grid and repair whatever rounding broke."""
    return _as_multi(shapely.make_valid(shapely.set_precision(geom, GRID)))


def _union(geoms: Iterable[BaseGeometry]) -> MultiPolygon:
    return _snap(shapely.union_all(list(geoms)))


def _load_kit(fixtures_dir: Path) -> _Kit:
    outline = json.loads((fixtures_dir / "province_outline.geojson").read_text("utf-8"))
    voronoi = json.loads((fixtures_dir / "districts_approx_voronoi.geojson").read_text("utf-8"))
    raw = {f["properties"]["district_code"]: shape(f["geometry"]) for f in voronoi["features"]}
    districts, covered = {}, Polygon()
    for code in sorted(raw):  # lower code keeps the overlap: arbitrary but deterministic
        districts[code] = _snap(shapely.difference(raw[code], covered))
        covered = shapely.union(covered, raw[code])
    snapshot = _read_csv(fixtures_dir / "communes_2021_snapshot.csv")
    units = _read_csv(fixtures_dir / "admin_units.csv")
    crosswalk = _read_csv(fixtures_dir / "admin_mapping_2025.csv")
    pre2025 = [u["code"] for u in units if u["level"] == "commune_pre2025"]
    listed = set(pre2025)
    return _Kit(
        province=_as_multi(shape(outline["features"][0]["geometry"])),
        districts=districts,
        district_2021={c["code"]: c["district_code"] for c in snapshot},
        pre2025=pre2025,
        rows=[(r["old_code"], r["new_code"]) for r in crosswalk],
        vanished=sorted(c["code"] for c in snapshot if c["code"] not in listed),
    )


# --- weighted bisection --------------------------------------------------------


def _long_axis(geom: BaseGeometry) -> np.ndarray:
    """Unit vector along the longer side of the minimum rotated rectangle (or bbox)."""
    rect = shapely.oriented_envelope(geom)
    if not isinstance(rect, Polygon):  # degenerate sliver: fall back to the bbox
        rect = shapely.box(*geom.bounds)
    xy = shapely.get_coordinates(rect)[:3]
    side_a, side_b = xy[1] - xy[0], xy[2] - xy[1]
    axis = side_a if np.hypot(*side_a) >= np.hypot(*side_b) else side_b
    axis = axis / np.hypot(*axis)
    # Fix the sign so the first items always land west (or south) of the cut.
    return -axis if (axis[0], axis[1]) < (0.0, 0.0) else axis


def _half_planes(axis: np.ndarray, offset: float, centre: np.ndarray) -> tuple[Polygon, Polygon]:
    """Both sides of the line {p·axis = offset} near ``centre``, built on one shared segment."""
    normal = np.array([-axis[1], axis[0]])
    foot = axis * offset + normal * float(centre @ normal)  # the line's point closest to centre
    a, b = foot + normal * _FAR, foot - normal * _FAR
    shift = axis * _FAR
    below, above = shapely.polygons(
        np.array([[a, b, b - shift, a - shift], [a, b, b + shift, a + shift]])
    )
    return below, above


def _cut(geom: BaseGeometry, fraction: float) -> tuple[MultiPolygon, MultiPolygon]:
    """Cut ``geom`` across its long axis so the lower side holds ``fraction`` of its area."""
    axis = _long_axis(geom)
    along = shapely.get_coordinates(geom) @ axis
    low, high = float(along.min()), float(along.max())
    target = fraction * geom.area
    centre = np.array(geom.centroid.coords[0])
    for _ in range(_BISECTION_STEPS):  # area below the line grows with the offset
        middle = (low + high) / 2
        if shapely.intersection(geom, _half_planes(axis, middle, centre)[0]).area < target:
            low = middle
        else:
            high = middle
    below, above = _half_planes(axis, (low + high) / 2, centre)
    return _as_multi(shapely.intersection(geom, below)), _as_multi(
        shapely.intersection(geom, above)
    )


def _split(geom: BaseGeometry, items: Sequence[tuple[object, float]]) -> dict[object, BaseGeometry]:
    """Area-proportional, contiguous regions of ``geom`` for ordered (key, weight) items."""
    if len(items) == 1:
        return {items[0][0]: geom}
    weights = np.array([w for _, w in items])
    prefix = np.cumsum(weights)[:-1]
    half = int(np.argmin(np.abs(2 * prefix - weights.sum()))) + 1  # first minimum wins ties
    lower, upper = _cut(geom, float(prefix[half - 1] / weights.sum()))
    return _split(lower, items[:half]) | _split(upper, items[half:])


# --- leaves ----------------------------------------------------------------------


def _first_unit(kit: _Kit) -> dict[str, str]:
    first: dict[str, str] = {}
    for old, new in kit.rows:
        first[old] = min(new, first.get(old, new))
    return first


def _plan(kit: _Kit, absorbers: dict[str, str]) -> dict[str, tuple]:
    """Per 2021 district: ordered ((new code, ordered ((leaf, weight), ...)), ...)."""
    pieces = Counter(old for old, _ in kit.rows)
    units: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for old, new in kit.rows:
        units[kit.district_2021[old]][new].append(((old, new), 1 / pieces[old]))
    first = _first_unit(kit)
    for gone, absorber in absorbers.items():
        units[kit.district_2021[gone]][first[absorber]].append(((gone, first[absorber]), 1.0))

    def order(entry: tuple[Leaf, float]) -> tuple[int, bool, int]:
        code = entry[0][0]  # a vanished commune sorts right after its absorber
        return int(absorbers.get(code, code)), code in absorbers, int(code)

    return {
        district: tuple(
            (new, tuple(sorted(leaves, key=order))) for new, leaves in sorted(by_new.items())
        )
        for district, by_new in units.items()
    }


def _split_district(district: MultiPolygon, plan: tuple) -> dict[Leaf, BaseGeometry]:
    unit_weights = [(new, sum(w for _, w in leaves)) for new, leaves in plan]
    regions = _split(district, unit_weights)
    leaves: dict[Leaf, BaseGeometry] = {}
    for new, items in plan:
        leaves |= _split(regions[new], items)
    return leaves


def _node(leaves: dict[Leaf, BaseGeometry]) -> dict[Leaf, BaseGeometry]:
    """Insert neighbours' vertices into each leaf so shared edges match exactly."""
    keys = list(leaves)
    geoms = np.array([leaves[k] for k in keys], dtype=object)
    tree = shapely.STRtree(geoms)
    noded = {}
    for i, key in enumerate(keys):
        x0, y0, x1, y1 = geoms[i].bounds
        near = [
            j for j in tree.query(shapely.box(x0 - GRID, y0 - GRID, x1 + GRID, y1 + GRID)) if j != i
        ]
        reference = shapely.multipoints(shapely.get_coordinates(geoms[near]))
        noded[key] = shapely.snap(geoms[i], reference, _NODE_TOLERANCE)
    return noded


# --- absorbers -------------------------------------------------------------------


def _candidates(kit: _Kit, gone: str) -> list[str]:
    """2025-01 communes of the vanished commune's 2021 district, in code order."""
    district = kit.district_2021[gone]
    return sorted((c for c in kit.pre2025 if kit.district_2021[c] == district), key=int)


def _neighbour_order_absorbers(kit: _Kit) -> dict[str, str]:
    """First guess: the preceding 2025-01 code in the same 2021 district (else the next)."""
    guess = {}
    for gone in kit.vanished:
        same = _candidates(kit, gone)
        before = [c for c in same if int(c) < int(gone)]
        guess[gone] = before[-1] if before else same[0]
    return guess


def _border_absorber(gone: MultiPolygon, candidates: dict[str, MultiPolygon]) -> str:
    """The documented rule: longest shared border, tie → lowest code; else nearest centroid."""
    border = {
        c: shapely.intersection(gone.boundary, g.boundary).length for c, g in candidates.items()
    }
    longest = max(border.values())
    if longest > 0:
        return next(c for c in candidates if border[c] >= longest - _BORDER_TIE)
    return min(candidates, key=lambda c: gone.centroid.distance(candidates[c].centroid))


# --- assembly --------------------------------------------------------------------


def _group_union(keys_to_geoms: Iterable[tuple[str, BaseGeometry]]) -> dict[str, MultiPolygon]:
    groups: dict[str, list[BaseGeometry]] = defaultdict(list)
    for key, geom in keys_to_geoms:
        groups[key].append(geom)
    return {key: _union(geoms) for key, geoms in sorted(groups.items())}


def _build_leaves(kit: _Kit, absorbers: dict[str, str], cache: dict) -> dict[Leaf, MultiPolygon]:
    leaves: dict[Leaf, BaseGeometry] = {}
    for district, plan in sorted(_plan(kit, absorbers).items()):
        if (district, plan) not in cache:  # later rounds only redo districts that changed
            cache[district, plan] = _split_district(kit.districts[district], plan)
        leaves |= cache[district, plan]
    return {key: _snap(geom) for key, geom in _node(leaves).items()}


def _settle_absorbers(
    kit: _Kit,
) -> tuple[dict[str, str], dict[Leaf, MultiPolygon], dict[str, MultiPolygon]]:
    """Rebuild until the border rule picks the absorbers the leaf order assumed.

    Returns the absorbers, the leaves and the 2021 communes built from them.
    """
    absorbers, cache = _neighbour_order_absorbers(kit), {}
    for _ in range(_MAX_ABSORBER_ROUNDS):
        leaves = _build_leaves(kit, absorbers, cache)
        communes = _group_union((key[0], geom) for key, geom in leaves.items())
        chosen = {
            gone: _border_absorber(communes[gone], {c: communes[c] for c in _candidates(kit, gone)})
            for gone in kit.vanished
        }
        if chosen == absorbers:
            return absorbers, leaves, communes
        absorbers = chosen
    raise RuntimeError(f"absorber choice did not settle: {absorbers}")


def build_approximate_units(fixtures_dir: Path) -> ApproximateUnits:
    """Build every unit level from the data kit in ``fixtures_dir`` (deterministic)."""
    kit = _load_kit(Path(fixtures_dir))
    absorbers, leaves, communes_2021 = _settle_absorbers(kit)
    first = _first_unit(kit)
    parts = {row: [leaves[row]] for row in kit.rows}
    for gone, absorber in absorbers.items():  # its area counts in the absorber's first part
        parts[absorber, first[absorber]].append(leaves[gone, first[absorber]])
    crosswalk_parts = {row: _union(geoms) for row, geoms in parts.items()}
    districts = _group_union((kit.district_2021[c], g) for c, g in communes_2021.items())
    pre2025_members = [(c, communes_2021[c]) for c in kit.pre2025]
    pre2025_members += [(absorbers[gone], communes_2021[gone]) for gone in kit.vanished]
    return ApproximateUnits(
        province=kit.province,
        districts_2021=districts,
        district_380_after_2024=_union([districts["380"], districts["405"]]),
        communes_2021=communes_2021,
        communes_pre2025=_group_union(pre2025_members),
        absorbed_2024=dict(sorted(absorbers.items())),
        communes_2025=_group_union((new, g) for (_, new), g in crosswalk_parts.items()),
        crosswalk_parts=crosswalk_parts,
    )
