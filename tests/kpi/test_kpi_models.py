"""The database keeps the registry's invariants, whoever writes (bulk writes, raw updates);
the seeded catalogue covers every sector of the province's plan."""
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from kpi.computations import REGISTRY
from kpi.models import Aggregation, Kpi, KpiRun, KpiTarget, KpiValue, Source

pytestmark = pytest.mark.django_db

PLAN_SECTORS = {"SOCIO_ECONOMIC", "GOVERNMENT", "SECURITY", "TRAFFIC", "HEALTH", "EDUCATION",
                "TOURISM", "PRESS", "CYBER", "CITIZEN"}


@pytest.fixture
def run():
    return KpiRun.objects.create(kind="IMPORT", started_at=timezone.now())


def value(kpi: Kpi, unit_id: int, start: date, run, **fields) -> KpiValue:
    return KpiValue.objects.create(**{"kpi": kpi, "unit_id": unit_id, "periodicity": kpi.periodicity,
                                      "period_start": start, "value": 1.0, "source": "IMPORT",
                                      "run": run, "recorded_at": timezone.now(), **fields})


def refused(callable_) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def test_the_catalogue_covers_every_sector_of_the_plan():
    kpis = list(Kpi.objects.all())
    assert len(kpis) >= 30
    assert {k.sector for k in kpis} == PLAN_SECTORS
    by_sector = {s: [k for k in kpis if k.sector == s] for s in PLAN_SECTORS}
    assert all(len(found) >= 2 for found in by_sector.values()), by_sector
    codes = {k.code for k in kpis}
    assert {"grdp-growth", "budget-revenue", "investment-realised", "dossiers-on-time-pct",
            "dossiers-online-pct", "security-theft", "traffic-deaths", "traffic-injuries",
            "bed-occupancy", "notifiable-disease-cases", "school-enrolment", "graduation-rate",
            "tourist-arrivals", "tourism-revenue", "room-occupancy", "press-negative-share",
            "cyber-attacks-blocked", "citizen-reports", "incidents-on-time-pct",
            "citizen-satisfaction", "traffic-accidents-per-100k"} <= codes


def test_every_computed_kpi_names_a_registered_aggregation_and_parts_share_periodicity():
    for kpi in Kpi.objects.select_related("numerator", "denominator"):
        if kpi.source == Source.COMPUTED:
            assert kpi.computation in REGISTRY, kpi.code
        if kpi.has_parts:
            assert kpi.aggregation == Aggregation.RATIO
            assert kpi.numerator.periodicity == kpi.denominator.periodicity == kpi.periodicity
            assert Aggregation.SUM == kpi.numerator.aggregation == kpi.denominator.aggregation
    assert set(Kpi.objects.filter(source=Source.COMPUTED).values_list("computation", flat=True)
               ) == set(REGISTRY)


@pytest.mark.parametrize("start, ok", [(date(2025, 7, 1), True), (date(2025, 7, 2), False)])
def test_a_monthly_value_starts_on_the_first_of_a_month(units, run, start, ok):
    kpi = Kpi.objects.get(code="dossiers-received")
    if ok:
        value(kpi, units.province_id, start, run)
    else:
        refused(lambda: value(kpi, units.province_id, start, run))


@pytest.mark.parametrize("start, ok", [(date(2025, 7, 1), True), (date(2025, 8, 1), False)])
def test_a_quarterly_value_starts_a_quarter(units, run, start, ok):
    kpi = Kpi.objects.get(code="grdp-growth")
    if ok:
        value(kpi, units.province_id, start, run)
    else:
        refused(lambda: value(kpi, units.province_id, start, run))


def test_a_value_takes_its_kpis_periodicity(units, run):
    kpi = Kpi.objects.get(code="dossiers-received")  # monthly
    refused(lambda: value(kpi, units.province_id, date(2025, 7, 14), run, periodicity="DAY"))


def test_changing_a_kpis_periodicity_reaches_its_values_and_must_still_align(units, run):
    kpi = Kpi.objects.get(code="dossiers-received")
    stored = value(kpi, units.province_id, date(2025, 7, 1), run)
    Kpi.objects.filter(pk=kpi.pk).update(periodicity="DAY")  # July 1st is a day too
    stored.refresh_from_db()
    assert stored.periodicity == "DAY"
    refused(lambda: Kpi.objects.filter(pk=kpi.pk).update(periodicity="YEAR"))


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_values_and_targets_are_finite(units, run, bad):
    kpi = Kpi.objects.get(code="dossiers-received")
    refused(lambda: value(kpi, units.province_id, date(2025, 7, 1), run, value=bad))
    refused(lambda: KpiTarget.objects.create(kpi=kpi, effective_from=date(2025, 1, 1), value=bad))


def test_a_value_needs_a_run_unless_entered_by_hand(units, run):
    kpi = Kpi.objects.get(code="dossiers-received")
    refused(lambda: value(kpi, units.province_id, date(2025, 7, 1), None))
    value(kpi, units.province_id, date(2025, 7, 1), None, source="MANUAL")


def test_one_value_per_kpi_unit_and_period(units, run):
    kpi = Kpi.objects.get(code="dossiers-received")
    value(kpi, units.province_id, date(2025, 7, 1), run)
    refused(lambda: value(kpi, units.province_id, date(2025, 7, 1), run))


def test_one_target_per_start_for_every_unit_and_for_one_unit(units):
    kpi = Kpi.objects.get(code="incidents-on-time-pct")
    KpiTarget.objects.create(kpi=kpi, effective_from=date(2025, 1, 1), value=90)
    refused(lambda: KpiTarget.objects.create(kpi=kpi, effective_from=date(2025, 1, 1), value=95))
    KpiTarget.objects.create(kpi=kpi, unit_id=units.province_id, effective_from=date(2025, 1, 1),
                             value=95)


@pytest.mark.parametrize("fields", [
    {"code": "summary"}, {"code": "Bad Code"}, {"source": "COMPUTED", "computation": ""},
    {"source": "IMPORTED", "computation": "traffic_accidents"}, {"scale": 0},
    {"amber_margin_pct": -1}, {"name_en": ""}, {"aggregation": "SUM", "parts": True},
])
def test_a_kpi_breaking_an_invariant_is_refused(fields):
    parts = fields.pop("parts", False)
    base = {"code": "thu-nghiem", "name_vi": "Thử", "name_en": "Test", "definition_vi": "Thử",
            "unit_vi": "%", "unit_en": "%", "sector": "CITIZEN", "direction": "HIGHER",
            "periodicity": "MONTH", "grain": "PROVINCE", "aggregation": "RATIO",
            "owner_department": "IOC", "source": "IMPORTED"}
    if parts:
        one = Kpi.objects.get(code="dossiers-resolved")
        fields.update(numerator=one, denominator=one)
    refused(lambda: Kpi.objects.create(**{**base, **fields}))


def test_a_raw_update_cannot_sneak_past_the_alignment_check(units, run):
    kpi = Kpi.objects.get(code="dossiers-received")
    stored = value(kpi, units.province_id, date(2025, 7, 1), run)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE kpi_kpivalue SET period_start = '2025-07-09' WHERE id = %s",
                       [stored.pk])


def test_names_and_choices_have_english():
    from django.utils.translation import override

    from kpi.models import Direction, Periodicity

    with override("en"):
        assert str(Kpi._meta.verbose_name) == "KPI"
        assert str(KpiValue._meta.get_field("period_start").verbose_name) == "period (first day)"
        assert str(Direction.LOWER.label) == "Lower is better"
        assert [str(label) for _, label in Periodicity.choices] == ["Day", "Month", "Quarter",
                                                                    "Year"]
    with override("vi"):
        assert str(Kpi._meta.verbose_name) == "chỉ số KPI"
