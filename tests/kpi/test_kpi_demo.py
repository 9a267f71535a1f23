"""The demo KPIs: every KPI of the catalogue has values, anchored on the data kit's cited
figures, for the province, each current commune and the pre-reform districts as the grain says;
fast, and a second run writes nothing."""
import time
from datetime import date

import pytest
from django.db.models import Sum

from demo.kpis import demo_kpis_seed
from kpi.models import Grain, Kpi, KpiTarget, KpiValue
from kpi.selectors import kpi_summary
from kpi.units import CURRENT, PRE_REFORM
from tests.kpi.test_kpi_reaggregation import WIDE, seen

pytestmark = pytest.mark.django_db
TODAY = date(2026, 1, 15)  # the window: January 2024 – December 2025


@pytest.fixture
def seeded(db):
    started = time.monotonic()
    report = demo_kpis_seed(today=TODAY)
    return report, time.monotonic() - started


def total(code: str, unit_id: int, first: date, last: date) -> float:
    return KpiValue.objects.filter(kpi__code=code, unit_id=unit_id, period_start__gte=first,
                                   period_start__lte=last).aggregate(s=Sum("value"))["s"]


def test_the_demo_is_fast_and_a_second_run_writes_nothing(seeded):
    report, seconds = seeded
    assert seconds < 15, seconds
    assert report.values > 20_000 and report.written == report.values
    assert report.computed_written > 0
    again = demo_kpis_seed(today=TODAY)
    assert (again.written, again.deleted, again.targets_changed, again.computed_written) == (
        0, 0, 0, 0)


def test_tourism_is_anchored_on_the_cited_figures(seeded, units):
    p, ss = units.province_id, units.by_key[(PRE_REFORM, "382")]
    arrivals = {v.period_start: v.value for v in KpiValue.objects.filter(
        kpi__code="tourist-arrivals", unit_id=p)}
    assert arrivals[date(2024, 5, 1)] == 1_815_000                                    # S62
    assert total("tourist-arrivals", p, date(2024, 1, 1), date(2024, 5, 1)) == 6_770_000  # S62
    assert total("tourist-arrivals", p, date(2024, 1, 1), date(2024, 6, 1)) == 9_800_000  # S55
    assert total("tourist-arrivals", p, date(2024, 1, 1), date(2024, 7, 1)) == 12_900_000  # S61
    assert total("tourist-arrivals", ss, date(2024, 1, 1), date(2024, 12, 1)) == 8_860_000  # S16
    revenue_h1 = total("tourism-revenue", p, date(2024, 1, 1), date(2024, 6, 1))
    assert revenue_h1 == pytest.approx(19_848.5, abs=0.6)                                # S55
    assert total("tourism-revenue", p, date(2024, 1, 1), date(2024, 7, 1)) == pytest.approx(
        27_868, abs=0.7)                                                                 # S61
    summer = {v.period_start.month: v.value for v in KpiValue.objects.filter(
        kpi__code="room-occupancy", unit_id=ss, period_start__year=2025)}
    assert summer[7] > 80 > summer[1]  # Sầm Sơn's beach season
    plan = KpiTarget.objects.filter(kpi__code="tourist-arrivals", unit_id=p,
                                    effective_from__year=2025).aggregate(s=Sum("value"))["s"]
    assert plan == pytest.approx(16_000_000)                                             # S16


def test_socio_economic_figures_are_the_cited_ones(seeded, units):
    p = units.province_id
    grdp = KpiValue.objects.get(kpi__code="grdp", unit_id=p, period_start=date(2024, 1, 1))
    assert grdp.value == 318_752 and "S57" in grdp.note
    growth = dict(KpiValue.objects.filter(kpi__code="grdp-growth", unit_id=p,
                                          period_start__year=2024)
                  .values_list("period_start", "value"))
    assert (growth[date(2024, 4, 1)], growth[date(2024, 10, 1)]) == (11.5, 12.16)  # S68, S56
    assert total("budget-revenue", p, date(2024, 1, 1), date(2024, 12, 1)) == pytest.approx(
        54_341, abs=0.7)                                                          # S56


def test_every_kpi_has_values_at_the_levels_its_grain_says(seeded, units):
    months = 24
    for kpi in Kpi.objects.all():
        values = KpiValue.objects.filter(kpi=kpi)
        if kpi.has_parts and not kpi.source == "COMPUTED":
            assert not values.exists()  # from its parts
            continue
        if kpi.source == "COMPUTED":
            layer_based = kpi.computation.startswith(("security", "traffic"))
            assert values.exists() == layer_based, kpi.code  # no demo incidents in the tests
            continue
        assert values.filter(unit_id=units.province_id).exists(), kpi.code
        unit_ids = set(values.values_list("unit_id", flat=True))
        if kpi.grain == Grain.DISTRICT:
            assert set(units.children) <= unit_ids, kpi.code
        if kpi.grain == Grain.COMMUNE and kpi.periodicity == "MONTH":
            assert set(units.leaves[CURRENT]) <= unit_ids, kpi.code
            assert values.filter(unit_id=units.leaves[CURRENT][0]).count() == months, kpi.code


def test_both_generations_show_through_the_crosswalk(seeded, kpi, units):
    pupils = kpi("school-enrolment")
    old, new = units.leaves[PRE_REFORM], units.leaves[CURRENT]
    assert KpiValue.objects.filter(kpi=pupils, unit_id__in=old, period_start__year=2024).count() \
        == len(old)
    assert KpiValue.objects.filter(kpi=pupils, unit_id__in=new, period_start__year=2025).count() \
        == len(new)
    back_cast = seen(pupils, units, new[0], CURRENT, date(2024, 1, 1))
    assert back_cast.point.origin == "crosswalk" and back_cast.point.value > 0
    carried = seen(pupils, units, next(iter(units.children)), PRE_REFORM, date(2025, 1, 1))
    assert carried.point.origin == "crosswalk"
    share = seen(kpi("dossiers-on-time-pct"), units, units.province_id, CURRENT, date(2025, 8, 1))
    assert share.point.origin == "ratio" and 85 < share.point.value < 100


def test_the_province_summary_shows_every_colour(seeded):
    summary = kpi_summary(principal=WIDE, unit_code=None, generation=CURRENT, as_of="2025-12-31")
    statuses = [card.judgement.status for card in summary.cards]
    assert {"GREEN", "AMBER", "RED"} <= set(statuses)
    empty = {card.kpi.code for card in summary.cards if card.latest is None}
    incident_based = set(Kpi.objects.filter(source="COMPUTED").exclude(
        computation__regex=r"^(security|traffic)").values_list("code", flat=True))
    assert empty == incident_based  # the test database holds no demo incidents
