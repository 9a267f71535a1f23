"""The unit tree the dashboard walks, over the KPI app's two reference generations
(kpi.units.Reform): the province's children are its current communes (current) or its 26
districts (pre2025); a pre-reform district's are its communes on 2025-06-30; a commune has none.
Pure functions over the Reform the KPI app keeps per process: no query."""
from kpi.units import CURRENT, Reform, RefUnit
from layers.models import AdminLevel


def unit_children(*, units: Reform, unit: RefUnit, generation: str) -> list[RefUnit]:
    """The unit's children in the generation, by code."""
    if unit.level == AdminLevel.PROVINCE:
        if generation == CURRENT:
            ids = units.leaves[CURRENT]
        else:
            ids = [u.id for u in units.units.values()
                   if u.level == AdminLevel.DISTRICT and u.parent_id == unit.id]
    elif unit.level == AdminLevel.DISTRICT:
        ids = units.children.get(unit.id, [])
    else:
        ids = []
    return sorted((units.units[i] for i in ids), key=lambda u: u.code)


def unit_breadcrumb(*, units: Reform, unit: RefUnit) -> list[RefUnit]:
    """The province down to the unit (the unit last)."""
    chain = [unit]
    while chain[-1].parent_id in units.units and len(chain) < 5:
        chain.append(units.units[chain[-1].parent_id])
    return list(reversed(chain))
