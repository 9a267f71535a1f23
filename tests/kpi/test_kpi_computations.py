"""Computed KPIs equal a hand count of our own data, for every unit of both generations; the
refresh is idempotent, records its provenance, fills zeros only where the source has data,
and drops what the data no longer gives."""
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from kpi import periods
from kpi.models import KpiRun, KpiValue
from kpi.refresh import kpi_refresh
from kpi.units import CURRENT, PRE_REFORM
from layers.models import Feature

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def stored(kpi) -> dict[tuple[int, object], float]:
    return {(v.unit_id, v.period_start): v.value for v in KpiValue.objects.filter(kpi=kpi)}


def by_units(units, counts: dict) -> dict[tuple[int, object], float]:
    """(kind, code, month) counts → (reference unit id, month) counts."""
    ids = {("cur", units.units[i].code): i for i in units.leaves[CURRENT]}
    ids.update({("pre", units.units[i].code): i for i in units.leaves[PRE_REFORM]})
    ids.update({("dist", units.units[i].code): i for i in units.children})
    ids[("province", "")] = units.province_id
    return {(ids[(kind, code)], month): n for (kind, code, month), n in counts.items()}


def hand_count(layer: str, measure=lambda properties: 1) -> dict:
    counts: Counter = Counter()
    for feature in Feature.objects.filter(layer__slug=layer, commune_code__isnull=False):
        month = feature.observed_at.astimezone(VN).date().replace(day=1)
        n = measure(feature.properties)
        counts[("province", "", month)] += n
        counts[("cur", feature.commune_code, month)] += n
        counts[("pre", feature.commune_code_pre2025, month)] += n
        counts[("dist", feature.district_code_pre2025, month)] += n
    return counts


@pytest.mark.parametrize("code, layer, measure", [
    ("traffic-accidents", "traffic-accidents", lambda p: 1),
    ("traffic-deaths", "traffic-accidents", lambda p: p["deaths"]),
    ("security-theft", "security-incidents", lambda p: p["incident_type"] == "theft"),
])
def test_a_computed_kpi_equals_a_hand_count_in_every_unit_of_both_generations(
        units, kpi, code, layer, measure):
    target = kpi(code)
    run = kpi_refresh(kpi=target)
    expected = by_units(units, hand_count(layer, measure))
    months = {month for (unit, month) in expected if unit == units.province_id}
    assert len(months) >= 12
    values = stored(target)
    nonzero = {key: v for key, v in values.items() if v}
    assert nonzero == {key: float(n) for key, n in expected.items() if n}
    # every reference unit has a value (0 where nothing happened) in each month with data
    assert len(values) == len(months) * (1 + 166 + 547 + 26)
    assert {month for _, month in values} == months
    assert run.computation == target.computation and run.kpi == target and run.finished_at
    assert run.rows_inserted == len(values) and not run.rows_updated


def test_per_100k_divides_by_the_units_population(units, kpi):
    per_capita = kpi("traffic-accidents-per-100k")
    kpi_refresh(kpi=per_capita)
    counts = by_units(units, hand_count("traffic-accidents"))
    values = stored(per_capita)
    with_population = {u for u, r in units.units.items() if r.population}
    assert {unit for unit, _ in values} == with_population
    for (unit, month), rate in values.items():
        expected = 1e5 * counts.get((unit, month), 0) / units.units[unit].population
        assert rate == pytest.approx(expected)


@pytest.fixture
def handled(incident_factory):
    """Incidents in every state the on-time figures look at, over two months."""
    now = timezone.now()
    early = now - timedelta(days=40)
    cases = [
        ("resolved", now - timedelta(days=3), now - timedelta(days=2), 5),   # on time, rated
        ("closed", now - timedelta(days=4), now - timedelta(days=5), 2),     # late, rated
        ("closed", now - timedelta(days=6), now - timedelta(days=1), None),  # on time
        ("closed", early, early + timedelta(days=1), 4),                     # earlier month
        ("in_progress", None, now + timedelta(days=1), None),                # not resolved
        ("rejected", None, now + timedelta(days=1), None),                   # hidden
        ("duplicate", None, now + timedelta(days=1), None),                  # hidden
    ]
    return [incident_factory(where=where, status=status, resolved_at=resolved, due_at=due,
                             rating=rating)
            for where in ("in", "out") for status, resolved, due, rating in cases]


@pytest.fixture
def incident_factory(db):
    from access.principal import ANONYMOUS
    from incidents.models import Incident, Status
    from incidents.services import ReportInput, incident_submit
    from tests.kpi.conftest import INSIDE, OUTSIDE

    def build(*, where: str, status: str, resolved_at, due_at, rating):
        lon, lat = INSIDE if where == "in" else OUTSIDE
        incident = incident_submit(principal=ANONYMOUS, report=ReportInput(
            category="khac", lon=lon, lat=lat, title="Đèn đường hỏng", description="Mô tả"))
        fields = {"status": status, "resolved_at": resolved_at, "due_at": due_at,
                  "rating": rating}
        if status == Status.DUPLICATE:
            fields["duplicate_of"] = Incident.objects.exclude(pk=incident.pk).first()
        Incident.objects.filter(pk=incident.pk).update(**fields)
        incident.refresh_from_db()
        return incident
    return build


def test_incidents_on_time_equals_the_walls_definition_counted_by_hand(units, kpi, handled):
    from incidents.models import Incident

    for code in ("incidents-resolved", "incidents-resolved-on-time", "incidents-on-time-pct",
                 "citizen-satisfaction", "incidents-received", "citizen-reports"):
        kpi_refresh(kpi=kpi(code))
    resolved = [i for i in Incident.objects.all()
                if i.status in ("resolved", "closed") and i.resolved_at]
    by_commune: dict = defaultdict(list)
    for incident in resolved:
        month = incident.resolved_at.astimezone(VN).date().replace(day=1)
        by_commune[(units.by_key[(CURRENT, incident.commune_code)], month)].append(incident)
        by_commune[(units.province_id, month)].append(incident)
    assert len(by_commune) >= 3
    pct, satisfaction = stored(kpi("incidents-on-time-pct")), stored(kpi("citizen-satisfaction"))
    count, on_time = stored(kpi("incidents-resolved")), stored(kpi("incidents-resolved-on-time"))
    for key, incidents in by_commune.items():
        punctual = [i for i in incidents if i.resolved_at <= i.due_at]
        rated = [i.rating for i in incidents if i.rating]
        assert count[key] == len(incidents) and on_time[key] == len(punctual)
        assert pct[key] == pytest.approx(100 * len(punctual) / len(incidents))
        assert satisfaction.get(key) == (pytest.approx(sum(rated) / len(rated)) if rated
                                         else None)
    received = stored(kpi("incidents-received"))
    shown = [i for i in Incident.objects.all() if i.status not in ("rejected", "duplicate")]
    month = timezone.localdate().replace(day=1)
    assert received[(units.province_id, month)] == len(
        [i for i in shown if timezone.localtime(i.created_at).date().replace(day=1) == month])


def test_a_second_refresh_changes_nothing_and_what_vanished_is_dropped(units, kpi):
    accidents = kpi("traffic-accidents")
    kpi_refresh(kpi=accidents)
    again = kpi_refresh(kpi=accidents)
    assert (again.rows_inserted, again.rows_updated, again.rows_deleted) == (0, 0, 0)
    assert again.rows_unchanged == again.rows_read > 0
    first_month = min(v.period_start for v in KpiValue.objects.filter(kpi=accidents))
    second_month = periods.shift(first_month, periods.MONTH, 1)
    stale = Feature.objects.filter(layer__slug="traffic-accidents", observed_at__lt=datetime(
        second_month.year, second_month.month, 1, tzinfo=VN))
    assert stale.exists()
    stale.delete()  # the first month's accidents are gone from the source
    dropped = kpi_refresh(kpi=accidents)
    assert dropped.rows_deleted == 1 + 166 + 547 + 26
    assert not KpiValue.objects.filter(kpi=accidents, period_start=first_month).exists()


def test_since_recomputes_only_from_that_period(units, kpi):
    accidents = kpi("traffic-accidents")
    kpi_refresh(kpi=accidents)
    months = sorted({v.period_start for v in KpiValue.objects.filter(kpi=accidents)})
    KpiValue.objects.filter(kpi=accidents, unit_id=units.province_id).update(value=-1)
    run = kpi_refresh(kpi=accidents, since=months[-2].replace(day=17))
    assert run.since == months[-2] and run.rows_updated == 2
    left = KpiValue.objects.filter(kpi=accidents, unit_id=units.province_id, value=-1)
    assert left.count() == len(months) - 2


def test_the_command_refreshes_named_kpis_and_refuses_others(units, kpi, capsys):
    call_command("kpi_refresh", "--kpi", "traffic-injuries", "--no-progress")
    out = capsys.readouterr().out
    assert "traffic-injuries:" in out and "thêm" in out
    assert KpiRun.objects.filter(computation="traffic_injuries").count() == 1
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="tourist-arrivals"):
        call_command("kpi_refresh", "--kpi", "tourist-arrivals", "--no-progress")


def test_the_scheduled_refresh_is_a_beat_task_of_the_project():
    from ioc_gis.celery import BEAT_SCHEDULE, app

    entry = next(e for e in BEAT_SCHEDULE.values() if e["task"] == "kpi.refresh")
    assert entry["schedule"] >= 60
    assert "kpi.refresh" in app.tasks
    runs = app.tasks["kpi.refresh"].apply().get()  # eager: no broker in the tests
    assert set(runs) == set(KpiRun.objects.filter(kind="COMPUTED").values_list(
        "kpi__code", flat=True))
