"""Re-aggregation across the 2025 reform: values recorded against one generation's communes,
viewed against the other's (and rolled up to districts and the province), keep their totals
both ways; a split commune is divided by its area share; missing sources give no value."""
from collections import defaultdict
from datetime import date

import pytest
from django.db import connection
from django.utils import timezone

from access.principal import Principal
from kpi.models import KpiRun
from kpi.selectors import kpi_series
from kpi.services import ValueRow, values_upsert
from kpi.units import CURRENT, PRE_REFORM
from layers.models import UnitCrosswalk

pytestmark = pytest.mark.django_db

WIDE = Principal(user_id=1, perms=frozenset({"layers.view_feature"}), province_wide=True)
MARCH_2024, SEPT_2025 = date(2024, 3, 1), date(2025, 9, 1)


def record(kpi, values: dict[int, float], start: date) -> None:
    run = KpiRun.objects.create(kind="IMPORT", started_at=timezone.now())
    values_upsert(rows=[ValueRow(kpi.id, unit_id, kpi.periodicity, start, v)
                        for unit_id, v in values.items()], run=run, source="IMPORT")


def seen(kpi, units, unit_id: int, generation: str, start: date):
    """The series' single figure for one unit and period, as the API computes it."""
    label = f"{start.year}-{start.month:02d}"
    series = kpi_series(principal=WIDE, code=kpi.code, unit_code=units.units[unit_id].code,
                        generation=generation, since=label, until=label)
    return series.figures[0]


def numbers(unit_ids, offset: int = 0) -> dict[int, float]:
    return {unit_id: float(37 + (i * 7919 + offset) % 400) for i, unit_id in enumerate(unit_ids)}


def test_the_crosswalk_weights_split_every_source_whole(units):
    assert len(units.leaves[PRE_REFORM]) == 547 and len(units.leaves[CURRENT]) == 166
    assert len(units.children) == 26
    assert set(units.forward) == set(units.leaves[PRE_REFORM])
    assert set(units.backward) == set(units.leaves[CURRENT])
    for weights in [*units.forward.values(), *units.backward.values()]:
        assert sum(weights.values()) == pytest.approx(1.0, abs=1e-12)
    assert units.measure == "area"


def test_pre_reform_values_seen_by_the_new_communes_keep_the_total(units, kpi):
    dossiers = kpi("dossiers-received")
    recorded = numbers(units.leaves[PRE_REFORM])
    record(dossiers, recorded, MARCH_2024)
    total = sum(recorded.values())
    figures = [seen(dossiers, units, n, CURRENT, MARCH_2024) for n in units.leaves[CURRENT]]
    assert {f.point.origin for f in figures} == {"crosswalk"}
    assert sum(f.point.value for f in figures) == pytest.approx(total, rel=1e-12)
    districts = [seen(dossiers, units, d, PRE_REFORM, MARCH_2024) for d in units.children]
    assert {f.point.origin for f in districts} == {"rolled_up"}
    assert sum(f.point.value for f in districts) == pytest.approx(total, rel=1e-12)
    province = seen(dossiers, units, units.province_id, CURRENT, MARCH_2024)
    assert (province.point.origin, province.point.value) == ("rolled_up", pytest.approx(total))


def test_new_commune_values_seen_by_the_old_units_keep_the_total(units, kpi):
    dossiers = kpi("dossiers-received")
    recorded = numbers(units.leaves[CURRENT], offset=11)
    record(dossiers, recorded, SEPT_2025)
    total = sum(recorded.values())
    old = [seen(dossiers, units, o, PRE_REFORM, SEPT_2025) for o in units.leaves[PRE_REFORM]]
    assert {f.point.origin for f in old} == {"crosswalk"}
    assert sum(f.point.value for f in old) == pytest.approx(total, rel=1e-12)
    districts = [seen(dossiers, units, d, PRE_REFORM, SEPT_2025) for d in units.children]
    assert {f.point.origin for f in districts} == {"crosswalk"}
    assert sum(f.point.value for f in districts) == pytest.approx(total, rel=1e-12)
    province = seen(dossiers, units, units.province_id, PRE_REFORM, SEPT_2025)
    assert province.point.value == pytest.approx(total)


def _split_commune(units) -> tuple[int, list[UnitCrosswalk]]:
    """A new commune that received part of an old commune split between several new ones."""
    rows = UnitCrosswalk.objects.filter(effective=date(2025, 7, 1), change_type="MERGED_PART")
    target = next(r.new_unit_id for r in rows if r.new_unit_id in units.backward)
    return target, list(UnitCrosswalk.objects.filter(new_unit_id=target,
                                                     effective=date(2025, 7, 1)))


def test_a_split_commune_contributes_its_area_share(units, kpi):
    dossiers = kpi("dossiers-received")
    recorded = numbers(units.leaves[PRE_REFORM], offset=5)
    record(dossiers, recorded, MARCH_2024)
    target, parts = _split_commune(units)
    assert any(p.change_type == "MERGED_PART" for p in parts)
    shares = defaultdict(float)
    for row in UnitCrosswalk.objects.filter(effective=date(2025, 7, 1)):
        shares[row.old_unit_id] += row.area_share
    by_hand = sum(recorded[p.old_unit_id] * p.area_share / shares[p.old_unit_id] for p in parts)
    assert seen(dossiers, units, target, CURRENT, MARCH_2024).point.value == pytest.approx(by_hand)


def test_a_missing_source_leaves_no_value_not_a_partial_one(units, kpi):
    dossiers = kpi("dossiers-received")
    recorded = numbers(units.leaves[PRE_REFORM])
    target, parts = _split_commune(units)
    missing = parts[0].old_unit_id
    del recorded[missing]
    record(dossiers, recorded, MARCH_2024)
    figure = seen(dossiers, units, target, CURRENT, MARCH_2024)
    assert figure.point is None
    assert (figure.judgement.status, figure.judgement.reason) == ("GREY", "no_value")
    untouched = next(n for n, parts in units.backward.items() if missing not in parts)
    assert seen(dossiers, units, untouched, CURRENT, MARCH_2024).point is not None
    assert seen(dossiers, units, units.province_id, CURRENT, MARCH_2024).point is None


def _areas(unit_ids) -> dict[int, float]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, ST_Area(geom::geography) / 1e6 FROM layers_adminunit "
                       "WHERE id = ANY(%s)", [list(unit_ids)])
        return dict(cursor.fetchall())


def test_a_mean_is_weighted_by_the_area_of_each_part(units, kpi):
    satisfaction = kpi("citizen-satisfaction")
    recorded = {o: 1.0 + (i % 5) for i, o in enumerate(units.leaves[PRE_REFORM])}
    record(satisfaction, recorded, MARCH_2024)
    target, parts = _split_commune(units)
    area = _areas(p.old_unit_id for p in parts)
    weights = {p.old_unit_id: units.forward[p.old_unit_id][target] * area[p.old_unit_id]
               for p in parts}
    by_hand = sum(recorded[o] * w for o, w in weights.items()) / sum(weights.values())
    got = seen(satisfaction, units, target, CURRENT, MARCH_2024).point.value
    assert got == pytest.approx(by_hand, rel=1e-6)
    assert min(recorded[o] for o in weights) <= got <= max(recorded[o] for o in weights)


def test_a_ratio_is_recomputed_from_its_parts_across_the_reform(units, kpi):
    on_time, resolved, pct = kpi("dossiers-on-time"), kpi("dossiers-resolved"), kpi(
        "dossiers-on-time-pct")
    done = numbers(units.leaves[PRE_REFORM])
    record(resolved, done, MARCH_2024)
    record(on_time, {o: v - (o % 3) for o, v in done.items()}, MARCH_2024)
    target, _ = _split_commune(units)
    numerator = seen(on_time, units, target, CURRENT, MARCH_2024).point.value
    denominator = seen(resolved, units, target, CURRENT, MARCH_2024).point.value
    figure = seen(pct, units, target, CURRENT, MARCH_2024)
    assert figure.point.origin == "ratio"
    assert figure.point.value == pytest.approx(100 * numerator / denominator)


def test_with_populations_known_a_new_communes_value_splits_by_population(units, kpi):
    from kpi.units import reform
    from layers.models import AdminUnit

    pre = units.leaves[PRE_REFORM]
    populations = {o: 1_000 + 37 * i for i, o in enumerate(pre)}
    for unit_id, population in populations.items():
        AdminUnit.objects.filter(pk=unit_id).update(population=population)
    weighted = reform()
    assert weighted.measure == "population"
    dossiers = kpi("dossiers-received")
    target, parts = _split_commune(weighted)
    record(dossiers, {target: 1_000.0}, SEPT_2025)
    pieces = {p.old_unit_id: weighted.forward[p.old_unit_id][target] * populations[p.old_unit_id]
              for p in parts}
    for old, piece in pieces.items():
        got = weighted.backward[target][old] * 1_000.0
        assert got == pytest.approx(1_000.0 * piece / sum(pieces.values()))
