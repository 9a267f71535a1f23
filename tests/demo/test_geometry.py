"""Invariants of the synthetic Thanh Hóa unit polygons (demo/geometry.py).

Plain pytest, no database: run with ``pytest -p no:django tests/demo/test_geometry.py``.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

import pytest
import shapely
from shapely.geometry import MultiPolygon, shape

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "thanh-hoa"
if str(ROOT) not in sys.path:  # plain `pytest` (unlike `python -m pytest`) omits the repo root
    sys.path.insert(0, str(ROOT))

from demo.geometry import ApproximateUnits, build_approximate_units  # noqa: E402

COVER_TOLERANCE = 1e-9  # deg², area of a commune left outside its district


def _rows(name: str) -> list[dict[str, str]]:
    with (FIXTURES / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def units() -> ApproximateUnits:
    return build_approximate_units(FIXTURES)


@pytest.fixture(scope="module")
def district_of_2021() -> dict[str, str]:
    return {r["code"]: r["district_code"] for r in _rows("communes_2021_snapshot.csv")}


@pytest.fixture(scope="module")
def pre2025_parent() -> dict[str, str]:
    return {
        r["code"]: r["parent_code"]
        for r in _rows("admin_units.csv")
        if r["level"] == "commune_pre2025"
    }


def _relative_difference(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b))


def _partition_checks(
    pieces: list[MultiPolygon], expected_union: MultiPolygon, tolerance: float
) -> None:
    union = shapely.union_all(pieces)
    assert _relative_difference(sum(p.area for p in pieces), union.area) < 1e-6, "pieces overlap"
    assert union.symmetric_difference(expected_union).area / expected_union.area < tolerance


def test_counts(units, district_of_2021, pre2025_parent):
    assert len(units.districts_2021) == 27 and "405" in units.districts_2021
    assert len(units.communes_2021) == 559
    assert len(units.communes_pre2025) == 547
    assert len(units.communes_2025) == 166
    assert len(units.crosswalk_parts) == 558
    vanished = set(district_of_2021) - set(pre2025_parent)
    assert len(vanished) == 12
    assert set(units.absorbed_2024) == vanished
    assert set(units.absorbed_2024.values()) <= set(units.communes_pre2025)
    assert units.absorbed_2024_inferred is True  # the kit never names the absorbers


def test_absorbers_stay_in_their_2021_district(units, district_of_2021):
    for gone, absorber in units.absorbed_2024.items():
        assert district_of_2021[gone] == district_of_2021[absorber]
        assert units.communes_2021[gone].intersects(units.communes_2021[absorber])


def test_every_geometry_is_a_valid_nonempty_multipolygon(units):
    geometries = [units.province, units.district_380_after_2024]
    for mapping in (
        units.districts_2021,
        units.communes_2021,
        units.communes_pre2025,
        units.communes_2025,
        units.crosswalk_parts,
    ):
        geometries.extend(mapping.values())
    for geom in geometries:
        assert isinstance(geom, MultiPolygon)
        assert geom.is_valid and not geom.is_empty and geom.area > 0


def test_communes_2021_nest_in_their_district(units, district_of_2021):
    for code, geom in units.communes_2021.items():
        assert geom.difference(units.districts_2021[district_of_2021[code]]).area < COVER_TOLERANCE


def test_communes_pre2025_nest_in_their_parent(units, pre2025_parent):
    for code, geom in units.communes_pre2025.items():
        parent = pre2025_parent[code]
        district = (
            units.district_380_after_2024 if parent == "380" else units.districts_2021[parent]
        )
        assert geom.difference(district).area < COVER_TOLERANCE


def test_district_380_after_2024_is_city_plus_dong_son(units):
    expected = shapely.union_all([units.districts_2021["380"], units.districts_2021["405"]])
    assert units.district_380_after_2024.symmetric_difference(expected).area < COVER_TOLERANCE


def test_communes_2021_partition_the_district_inputs(units):
    collection = json.loads((FIXTURES / "districts_approx_voronoi.geojson").read_text("utf-8"))
    inputs = shapely.union_all([shape(f["geometry"]) for f in collection["features"]])
    _partition_checks(list(units.communes_2021.values()), inputs, 1e-3)


def test_communes_2025_partition_the_same_area(units):
    union_2021 = shapely.union_all(list(units.communes_2021.values()))
    _partition_checks(list(units.communes_2025.values()), union_2021, 1e-6)


def test_communes_pre2025_partition_the_same_area(units):
    union_2021 = shapely.union_all(list(units.communes_2021.values()))
    _partition_checks(list(units.communes_pre2025.values()), union_2021, 1e-6)


def test_each_new_unit_is_the_union_of_its_crosswalk_parts(units):
    parts_of = defaultdict(list)
    for (_, new), part in units.crosswalk_parts.items():
        parts_of[new].append(part)
    assert set(parts_of) == set(units.communes_2025)
    for new, parts in parts_of.items():
        assert (
            units.communes_2025[new].symmetric_difference(shapely.union_all(parts)).area
            < COVER_TOLERANCE
        )


def test_parts_of_each_old_commune_cover_it(units):
    parts_of = defaultdict(list)
    for (old, _), part in units.crosswalk_parts.items():
        parts_of[old].append(part)
    assert set(parts_of) == set(units.communes_pre2025)
    split = {old for old, parts in parts_of.items() if len(parts) > 1}
    assert len(split) == 10
    for old, parts in parts_of.items():
        assert (
            units.communes_pre2025[old].symmetric_difference(shapely.union_all(parts)).area
            < COVER_TOLERANCE
        )
        assert (
            _relative_difference(sum(p.area for p in parts), units.communes_pre2025[old].area)
            < 1e-6
        )


def test_absorbers_hold_their_vanished_communes(units):
    for gone, absorber in units.absorbed_2024.items():
        expected_area = units.communes_2021[gone].area + units.communes_2021[absorber].area
        assert (
            units.communes_2021[gone].difference(units.communes_pre2025[absorber]).area
            < COVER_TOLERANCE
        )
        assert _relative_difference(units.communes_pre2025[absorber].area, expected_area) < 1e-6


def test_commune_areas_are_plausible_shares_of_their_district(units, district_of_2021):
    members = defaultdict(list)
    for code, district in district_of_2021.items():
        members[district].append(code)
    for district, codes in members.items():
        district_area = units.districts_2021[district].area
        for code in codes:
            share = units.communes_2021[code].area / district_area
            assert share > 0
            assert len(codes) == 1 or share <= 0.6, (district, code, share)


def test_build_is_deterministic(units):
    again = build_approximate_units(FIXTURES)
    assert again.absorbed_2024 == units.absorbed_2024
    samples = [
        (units.communes_2021, again.communes_2021, ["14755", "15772", "16378", "16651"]),
        (units.communes_2025, again.communes_2025, ["14758", "15853", "16516"]),
        (units.districts_2021, again.districts_2021, ["380", "405", "406"]),
    ]
    for first, second, codes in samples:
        for code in codes:
            assert first[code].wkb == second[code].wkb
    assert units.district_380_after_2024.wkb == again.district_380_after_2024.wkb
