"""Jurisdiction across unit generations (docs/adr/0005-jurisdiction-across-the-reform.md).

Every feature carries the commune code of two reference generations, stamped by the database:
the pre-reform one (communes in force on 2025-06-30) and the current one. A binding to a unit is
translated into codes of the reference generation *it belongs to*, so a user bound to a
pre-2025 district keeps seeing exactly the same ground after the reform, and a user bound to a
new commune sees exactly that commune. Units of older versions (e.g. Huyện Đông Sơn, merged in
Dec 2024) are carried forward to 2025-06-30 by identity (same code) or by the crosswalk."""
from dataclasses import dataclass, field
from datetime import timedelta

from layers.conf import PRE_REFORM_REFERENCE_DATE, REFORM_2025_EFFECTIVE
from layers.models import AdminLevel, AdminUnit, UnitCrosswalk
from layers.selectors import valid_on


@dataclass
class Ground:
    """The ground a set of bindings covers, as commune codes of the two reference generations."""

    province_wide: bool = False
    pre_codes: set[str] = field(default_factory=set)
    cur_codes: set[str] = field(default_factory=set)


def _is_current(unit: AdminUnit) -> bool:
    return unit.valid_to is None or unit.valid_to > REFORM_2025_EFFECTIVE


def _leaf_communes(unit: AdminUnit) -> list[AdminUnit]:
    """The commune versions under `unit` (itself for a commune), as of its last day."""
    if unit.level == AdminLevel.COMMUNE:
        return [unit]
    children = AdminUnit.objects.filter(parent=unit, level=AdminLevel.COMMUNE)
    if unit.valid_to is not None:
        children = children.filter(valid_on(unit.valid_to - timedelta(days=1)))
    else:
        children = children.filter(valid_to__isnull=True)
    return list(children)


def _carried_to_reference(commune: AdminUnit) -> set[str]:
    """Codes, on the pre-reform reference date, of the ground of an older commune version."""
    day = PRE_REFORM_REFERENCE_DATE
    if commune.is_valid_on(day):
        return {commune.code}
    same = AdminUnit.objects.filter(valid_on(day), level=AdminLevel.COMMUNE, code=commune.code)
    if same.exists():  # the unit continued (e.g. a new parent version) under its own code
        return {commune.code}
    successors = UnitCrosswalk.objects.filter(old_unit=commune, effective__lte=day)
    codes: set[str] = set()
    for row in successors.select_related("new_unit"):
        codes |= _carried_to_reference(row.new_unit)
    return codes


def ground_of(units) -> Ground:
    """The ground covered by bindings to `units` (unit versions of any generation)."""
    ground = Ground()
    for unit in units:
        if unit.level == AdminLevel.PROVINCE:
            ground.province_wide = True
        elif _is_current(unit):
            ground.cur_codes |= {c.code for c in _leaf_communes(unit)}
        else:
            for commune in _leaf_communes(unit):
                ground.pre_codes |= _carried_to_reference(commune)
    return ground
