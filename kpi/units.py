"""The units KPI values are kept against — the two reference generations of ADR 0005 — and the
2025 crosswalk between their communes, as weights (docs/adr/0012-kpi-registry-and-
reaggregation.md):

- current: the units in force today (the province and its communes since 1 July 2025);
- pre2025: the units in force on 2025-06-30 (the province, 26 districts, 547 communes).

The province is the same version in both. Leaves are the communes of a generation; a
pre-reform district's leaves are its communes on 2025-06-30.

Weights of the crosswalk (rows effective 2025-07-01, old commune → new commune):
- forward (old o → new n): o's area share in n, normalised so an old commune's shares sum
  to 1 — an old commune's value is split over the new communes it went into;
- backward (new n → old o): the part of n that came from o, piece(o, n) = forward(o, n) ×
  size(o), over all the pieces of n — a new commune's value is split over its old communes.
size(o) is the population when every pre-reform commune has one, otherwise the area (km²,
from the geometry). Both ways every source unit's weights sum to 1, so totals are kept.

Built once and kept per process (the crosswalk is reference data), rebuilt when the units or
the crosswalk change (a checksum) or after KEEP_SECONDS."""
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.utils import timezone

from layers.conf import PRE_REFORM_REFERENCE_DATE, REFORM_2025_EFFECTIVE
from layers.models import AdminLevel
from layers.stats import CURRENT, GENERATIONS, PRE_REFORM

from .errors import KpiUnitNotFound

__all__ = ["CURRENT", "GENERATIONS", "PRE_REFORM", "Reform", "RefUnit", "reform"]

KEEP_SECONDS = 600.0


@dataclass(frozen=True)
class RefUnit:
    """A unit version of a reference generation (`generation` is None for the province)."""

    id: int
    code: str
    level: str
    name: str
    parent_id: int | None
    generation: str | None
    population: int | None


@dataclass
class Reform:
    """Both reference generations and the weights between their communes."""

    units: dict[int, RefUnit] = field(default_factory=dict)
    by_key: dict[tuple[str, str], int] = field(default_factory=dict)  # (generation, code) → id
    province_id: int | None = None
    leaves: dict[str, list[int]] = field(default_factory=dict)  # generation → commune ids
    children: dict[int, list[int]] = field(default_factory=dict)  # district → its communes
    forward: dict[int, dict[int, float]] = field(default_factory=dict)   # old → {new: w}
    backward: dict[int, dict[int, float]] = field(default_factory=dict)  # new → {old: w}
    size: dict[int, float] = field(default_factory=dict)  # leaves and districts
    measure: str = "area"  # or "population"

    def get(self, code: str, generation: str) -> RefUnit:
        """The unit `code` of a generation (KpiUnitNotFound when the generation has none)."""
        unit_id = self.by_key.get((generation, code))
        if unit_id is None:
            label = "hiện hành" if generation == CURRENT else "trước 1/7/2025"
            raise KpiUnitNotFound(f"Không có đơn vị mã {code} trong thế hệ đơn vị {label}.",
                                  details={"unit": code, "generation": generation})
        return self.units[unit_id]

    def leaves_of(self, unit: RefUnit, generation: str) -> list[int]:
        """Commune ids of the generation under (or equal to) the unit."""
        if unit.level == AdminLevel.PROVINCE:
            return self.leaves[generation]
        if unit.level == AdminLevel.DISTRICT:
            return self.children.get(unit.id, [])
        return [unit.id]

    def crossed_weights(self, target_leaves: list[int], generation: str) -> dict[int, float]:
        """Weights of the other generation's communes for a set of this generation's communes:
        how much of each source commune's value lies in the set."""
        # Current targets take old communes' values (forward: old → new); pre-reform targets
        # take new communes' values (backward: new → old).
        mapping = self.forward if generation == CURRENT else self.backward
        targets = set(target_leaves)
        weights: dict[int, float] = defaultdict(float)
        for source, parts in mapping.items():
            for target, weight in parts.items():
                if target in targets:
                    weights[source] += weight
        return dict(weights)

    def visible_ids(self, *, province_wide: bool, cur_codes: frozenset[str],
                    pre_codes: frozenset[str]) -> frozenset[int] | None:
        """Reference units on a principal's ground (None: every unit). A commune is on it when
        its code is one of the ground's codes of its generation, or when all of it comes from
        (goes to) communes of the other generation's codes; a district when all its communes
        are; the province only for province-wide principals (ADR 0005)."""
        if province_wide:
            return None
        current = {i for i in self.leaves[CURRENT] if self.units[i].code in cur_codes}
        pre = {i for i in self.leaves[PRE_REFORM] if self.units[i].code in pre_codes}
        for new_id, parts in self.backward.items():
            if parts and all(old in pre for old in parts):
                current.add(new_id)
        for old_id, parts in self.forward.items():
            if parts and all(new in current for new in parts):
                pre.add(old_id)
        districts = {d for d, kids in self.children.items() if kids and set(kids) <= pre}
        return frozenset(current | pre | districts)


_UNITS_SQL = """
SELECT u.id, u.code, u.level, u.name, u.parent_id, u.population,
       (u.valid_to IS NULL) AS is_current,
       ((u.valid_from IS NULL OR u.valid_from <= %(pre)s)
        AND (u.valid_to IS NULL OR u.valid_to > %(pre)s)) AS is_pre,
       CASE WHEN u.level = 'COMMUNE' THEN ST_Area(u.geom::geography) / 1e6 END AS area_km2
  FROM layers_adminunit u
 WHERE (u.valid_from IS NULL OR u.valid_from <= %(today)s) AND (u.valid_to IS NULL OR u.valid_to > %(today)s)
    OR (u.valid_from IS NULL OR u.valid_from <= %(pre)s) AND (u.valid_to IS NULL OR u.valid_to > %(pre)s)
"""
_CROSSWALK_SQL = """
SELECT old_unit_id, new_unit_id, COALESCE(area_share, 1.0)
  FROM layers_unitcrosswalk WHERE effective = %s
"""
_CHECKSUM_SQL = """
SELECT (SELECT count(*) || ':' || COALESCE(max(id), 0) || ':' || COALESCE(sum(population), 0)
          FROM layers_adminunit),
       (SELECT count(*) || ':' || COALESCE(max(id), 0) || ':' || COALESCE(sum(area_share), 0)
          FROM layers_unitcrosswalk)
"""


def _read_units(reform: Reform, today: date) -> dict[int, float]:
    areas: dict[int, float] = {}
    with connection.cursor() as cursor:
        cursor.execute(_UNITS_SQL, {"today": today, "pre": PRE_REFORM_REFERENCE_DATE})
        rows = cursor.fetchall()
    for unit_id, code, level, name, parent_id, population, is_current, is_pre, area in rows:
        if level == AdminLevel.PROVINCE:
            generation = None
            reform.province_id = unit_id
            reform.by_key[(CURRENT, code)] = reform.by_key[(PRE_REFORM, code)] = unit_id
        else:
            generation = CURRENT if is_current else PRE_REFORM
            if (generation, code) in reform.by_key:  # in force on both days: keep the current
                continue
            reform.by_key[(generation, code)] = unit_id
        reform.units[unit_id] = RefUnit(unit_id, code, level, name, parent_id, generation,
                                        population)
        if level == AdminLevel.COMMUNE:
            reform.leaves.setdefault(generation, []).append(unit_id)
            areas[unit_id] = area or 0.0
    for generation in GENERATIONS:
        reform.leaves.setdefault(generation, [])
        reform.leaves[generation].sort(key=lambda i: reform.units[i].code)
    for unit_id in reform.leaves[PRE_REFORM]:
        parent = reform.units[unit_id].parent_id
        if parent in reform.units and reform.units[parent].level == AdminLevel.DISTRICT:
            reform.children.setdefault(parent, []).append(unit_id)
    return areas


def _read_crosswalk(reform: Reform, areas: dict[int, float]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_CROSSWALK_SQL, [REFORM_2025_EFFECTIVE])
        rows = cursor.fetchall()
    pre, cur = set(reform.leaves[PRE_REFORM]), set(reform.leaves[CURRENT])
    shares: dict[int, dict[int, float]] = defaultdict(dict)
    for old_id, new_id, share in rows:
        if old_id in pre and new_id in cur:
            shares[old_id][new_id] = float(share)
    pre_units = [reform.units[i] for i in reform.leaves[PRE_REFORM]]
    by_population = bool(pre_units) and all(u.population for u in pre_units)
    reform.measure = "population" if by_population else "area"
    for old_id in reform.leaves[PRE_REFORM]:
        reform.size[old_id] = float(reform.units[old_id].population if by_population
                                    else areas.get(old_id, 0.0))
    pieces: dict[int, dict[int, float]] = defaultdict(dict)
    for old_id, parts in shares.items():
        total = sum(parts.values())
        reform.forward[old_id] = {new: share / total for new, share in parts.items()}
        for new_id, weight in reform.forward[old_id].items():
            pieces[new_id][old_id] = weight * reform.size[old_id]
    for new_id in reform.leaves[CURRENT]:
        parts = pieces.get(new_id, {})
        total = sum(parts.values())
        reform.size[new_id] = total if total else areas.get(new_id, 0.0)
        if total:
            reform.backward[new_id] = {old: piece / total for old, piece in parts.items()}
    for district, kids in reform.children.items():
        reform.size[district] = sum(reform.size[k] for k in kids)


def _build(today: date) -> Reform:
    reform = Reform()
    areas = _read_units(reform, today)
    _read_crosswalk(reform, areas)
    return reform


_kept: dict[str, tuple[float, tuple, Reform]] = {}
_lock = threading.Lock()


def reform(today: date | None = None) -> Reform:
    """The reference generations and crosswalk weights (kept per process, see module doc)."""
    today = today or timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(_CHECKSUM_SQL)
        checksum = (today, *cursor.fetchone())
    hit = _kept.get("reform")
    now = time.monotonic()
    if hit and hit[1] == checksum and now - hit[0] < KEEP_SECONDS:
        return hit[2]
    built = _build(today)
    with _lock:
        _kept["reform"] = (now, checksum, built)
    return built
