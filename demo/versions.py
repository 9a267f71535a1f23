"""Turn the sourced unit lists (2021 snapshot, pre-reform 2025-01 list, post-reform list) and
the approximate shapes into unit *versions*: one row per stretch of time in which a unit's name,
type, parent version and shape stay the same. Pure Python, no Django: the loader writes them."""
from dataclasses import dataclass
from datetime import date

from shapely.geometry import MultiPolygon

from . import sources
from .geometry import ApproximateUnits

PROVINCE, DISTRICT, COMMUNE = "PROVINCE", "DISTRICT", "COMMUNE"


@dataclass(frozen=True)
class Epoch:
    """A stretch of time with one consistent set of source lists. `end` is exclusive."""

    start: date | None
    end: date | None


@dataclass
class UnitVersion:
    """One planned row of layers.AdminUnit."""

    level: str
    code: str
    name: str
    division_type: str
    parent: tuple[str, str] | None  # (level, code) of the parent unit
    valid_from: date | None
    valid_to: date | None
    geom: MultiPolygon
    is_approximate: bool
    source: str
    note: str = ""
    population: int | None = None
    area_km2: float | None = None

    @property
    def key(self) -> tuple[str, str, date | None]:
        """Natural key: a unit's identity is its code plus its validity."""
        return (self.level, self.code, self.valid_from)


@dataclass(frozen=True)
class _State:
    name: str
    division_type: str
    parent: tuple[str, str] | None
    parent_from: date | None
    geom_wkb: bytes
    source: str


def epochs(fixtures_dir=sources.FIXTURES_DIR) -> tuple[Epoch, Epoch, Epoch]:
    """2021 lists → the Dec 2024 arrangement → the July 2025 reform, dates read from the data."""
    merger = min(d for d in sources.unit_end_dates("district", fixtures_dir).values() if d)
    reform = max(d for d in sources.unit_end_dates("district", fixtures_dir).values() if d)
    return Epoch(None, merger), Epoch(merger, reform), Epoch(reform, None)


def _merge(level: str, code: str, states: list[tuple[Epoch, _State, MultiPolygon]],
           notes: dict) -> list[UnitVersion]:
    """Consecutive epochs with the same state become one version."""
    versions: list[UnitVersion] = []
    previous: _State | None = None
    for epoch, state, geom in states:
        if versions and state == previous and versions[-1].valid_to == epoch.start:
            versions[-1].valid_to = epoch.end
            continue
        versions.append(UnitVersion(
            level=level, code=code, name=state.name, division_type=state.division_type,
            parent=state.parent, valid_from=epoch.start, valid_to=epoch.end, geom=geom,
            is_approximate=True, source=state.source, note=notes.get(code, "")))
        previous = state
    return versions


def _parent_start(versions: dict, parent: tuple[str, str], day: date | None) -> date | None:
    for version in versions[parent]:
        starts_before = version.valid_from is None or (day is not None and version.valid_from <= day)
        ends_after = version.valid_to is None or day is None or day < version.valid_to
        if starts_before and ends_after:
            return version.valid_from
    raise ValueError(f"no version of parent {parent} is valid on {day}")


def plan_versions(shapes: ApproximateUnits, fixtures_dir=sources.FIXTURES_DIR) -> list[UnitVersion]:
    """Every AdminUnit version of the demo province, parents before children."""
    e1, e2, e3 = epochs(fixtures_dir)
    stats = sources.unit_statistics(fixtures_dir)
    prov = sources.province(fixtures_dir)
    province = UnitVersion(PROVINCE, prov.code, prov.name, prov.division_type, None, None, None,
                           shapes.province, False, prov.source, prov.note)
    by_unit: dict[tuple[str, str], list[UnitVersion]] = {(PROVINCE, prov.code): [province]}

    def add(level: str, rows: list[tuple[Epoch, sources.UnitFact, MultiPolygon, str]],
            notes: dict) -> None:
        grouped: dict[str, list] = {}
        for epoch, fact, geom, parent_level in rows:
            parent = (parent_level, fact.parent_code)
            state = _State(fact.name, fact.division_type, parent,
                           _parent_start(by_unit, parent, epoch.start), geom.wkb, fact.source)
            grouped.setdefault(fact.code, []).append((epoch, state, geom))
        for code, states in grouped.items():
            # extend, not replace: codes are reused across generations (14758 before and after)
            by_unit.setdefault((level, code), []).extend(_merge(level, code, states, notes))

    districts = {f.code: f for f in sources.units_at_level("district", fixtures_dir)}
    ends = sources.unit_end_dates("district", fixtures_dir)
    district_rows = []
    for code, fact in districts.items():
        district_rows.append((e1, fact, shapes.districts_2021[code], PROVINCE))
        if ends[code] == e2.end:  # still there after the Dec 2024 merger
            geom = shapes.district_380_after_2024 if code == "380" else shapes.districts_2021[code]
            district_rows.append((e2, fact, geom, PROVINCE))
    add(DISTRICT, district_rows, {c: f.note for c, f in districts.items()})

    commune_rows = [(e1, f, shapes.communes_2021[f.code], DISTRICT)
                    for f in sources.communes_2021(fixtures_dir)]
    commune_rows += [(e2, f, shapes.communes_pre2025[f.code], DISTRICT)
                     for f in sources.units_at_level("commune_pre2025", fixtures_dir)]
    absorbed_notes = {old: f"Sáp nhập vào {new} từ {e2.start} (suy luận cho demo: dữ liệu nguồn "
                      "không ghi đơn vị tiếp nhận)" for old, new in shapes.absorbed_2024.items()}
    add(COMMUNE, commune_rows, absorbed_notes)
    add(COMMUNE, [(e3, f, shapes.communes_2025[f.code], PROVINCE)
                  for f in sources.units_at_level("commune_2025", fixtures_dir)], {})

    versions = [v for level in (PROVINCE, DISTRICT, COMMUNE)
                for key, vs in by_unit.items() if key[0] == level for v in vs]
    _attach_statistics(versions, stats, e2)
    return versions


def _attach_statistics(versions: list[UnitVersion], stats: dict, e2: Epoch) -> None:
    """Known population (2019 census) and official areas; the rest stays unknown (NULL)."""
    for version in versions:
        known = stats.get(version.code, {})
        if version.level in (PROVINCE, DISTRICT) and version.valid_from != e2.start:
            version.population = int(known["population"]) if "population" in known else None
            version.area_km2 = known.get("area_km2")
