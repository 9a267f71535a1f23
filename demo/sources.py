"""Readers of the sourced facts in fixtures/thanh-hoa/ (copied from the data kit with credits;
see fixtures/README.md). Plain rows in, plain rows out: no Django here."""
import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

FIXTURES_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "thanh-hoa"

DIVISION_TYPE_CODES = {
    "tỉnh": "TINH", "thành phố": "THANH_PHO", "thị xã": "THI_XA", "huyện": "HUYEN",
    "phường": "PHUONG", "xã": "XA", "thị trấn": "THI_TRAN", "đặc khu": "DAC_KHU",
}


@dataclass(frozen=True)
class UnitFact:
    """A unit as a source lists it at one point in time."""

    code: str
    name: str
    division_type: str  # DivisionType code
    parent_code: str | None
    source: str
    note: str = ""


@dataclass(frozen=True)
class CrosswalkFact:
    """One row of the official 2025 conversion table."""

    old_code: str
    new_code: str
    change_type: str  # ChangeType code
    source: str


def _rows(name: str, fixtures_dir: Path) -> list[dict[str, str]]:
    with open(fixtures_dir / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _unit(row: dict[str, str], parent_key: str) -> UnitFact:
    return UnitFact(code=row["code"], name=row["name"],
                    division_type=DIVISION_TYPE_CODES[row["division_type"]],
                    parent_code=row[parent_key] or None, source=row["source"],
                    note=row.get("note", ""))


def province(fixtures_dir: Path = FIXTURES_DIR) -> UnitFact:
    """The province row."""
    row = next(r for r in _rows("admin_units.csv", fixtures_dir) if r["level"] == "province")
    return _unit(row, "parent_code")


def units_at_level(level: str, fixtures_dir: Path = FIXTURES_DIR) -> list[UnitFact]:
    """Rows of admin_units.csv at a level: district, commune_pre2025 or commune_2025."""
    return [_unit(r, "parent_code") for r in _rows("admin_units.csv", fixtures_dir)
            if r["level"] == level]


def unit_end_dates(level: str, fixtures_dir: Path = FIXTURES_DIR) -> dict[str, date | None]:
    """valid_to of each unit at a level, as the source states it."""
    return {r["code"]: date.fromisoformat(r["valid_to"]) if r["valid_to"] else None
            for r in _rows("admin_units.csv", fixtures_dir) if r["level"] == level}


def communes_2021(fixtures_dir: Path = FIXTURES_DIR) -> list[UnitFact]:
    """The 559 communes of the 2021-02-03 GSO snapshot (parent = 2021 district)."""
    return [_unit(r, "district_code") for r in _rows("communes_2021_snapshot.csv", fixtures_dir)]


def crosswalk_2025(fixtures_dir: Path = FIXTURES_DIR) -> list[CrosswalkFact]:
    """The official old→new conversion table of the 2025 reform."""
    return [CrosswalkFact(old_code=r["old_code"], new_code=r["new_code"],
                          change_type=r["change_type"].upper(), source=r["source"])
            for r in _rows("admin_mapping_2025.csv", fixtures_dir)]


def unit_statistics(fixtures_dir: Path = FIXTURES_DIR) -> dict[str, dict[str, float]]:
    """Known population (2019 census) and area (km²) per unit code, from stats.csv."""
    known: dict[str, dict[str, float]] = {}
    wanted = {"population_census": "population", "area": "area_km2"}
    for row in _rows("stats.csv", fixtures_dir):
        if row["scope"] in ("province", "district_pre2025") and row["indicator"] in wanted:
            known.setdefault(row["unit_code"], {})[wanted[row["indicator"]]] = float(row["value"])
    return known
