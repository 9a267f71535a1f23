"""The refresh: a constructed deteriorating series at the province becomes "needs attention"
and an alert to the KPI's owner department; when the series recovers both go. Forecasts of
the scheduled units are stored once and recomputed only when their history changes."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from alerts.models import Alert, AlertDelivery, AlertKind, DepartmentContact
from insights.models import Attention, Forecast
from insights.refresh import insights_refresh, scope
from kpi import periods
from kpi.models import Kpi, KpiTarget
from tests.insights.conftest import months

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 1, 15, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))  # last month: 2025-12
YEAR_2025 = months(date(2025, 1, 1), 12)


def test_the_watched_units_are_the_province_current_communes_and_old_districts(units):
    watched = scope(units)
    assert watched[0] == (units.units[units.province_id], "current")
    levels = {(u.level, g) for u, g in watched}
    assert levels == {("PROVINCE", "current"), ("COMMUNE", "current"), ("DISTRICT", "pre2025")}
    assert len(watched) == 1 + len(units.leaves["current"]) + len(units.children)
    assert len({u.code for u, _ in watched}) == len(watched)  # subjects do not collide


def test_a_deteriorating_series_raises_an_alert_and_recovery_closes_it(units, kpi, record):
    accidents = kpi("traffic-accidents")  # lower is better
    province = units.province_id
    DepartmentContact.objects.create(department=accidents.owner_department,
                                     mailbox="csgt@example.vn")
    KpiTarget.objects.create(kpi=accidents, unit_id=province, value=100,
                             effective_from=date(2025, 1, 1))
    rising = [80, 83, 82, 86, 88, 87, 91, 94, 93, 112, 118, 125]  # worse, and red since Oct
    record(accidents, province, dict(zip(YEAR_2025, rising)))

    report = insights_refresh(codes=["traffic-accidents"], forecasts=False, now=NOW)
    assert report.attention == {"TREND": 1, "STREAK": 1} and report.alerts_new == 1
    trend = Attention.objects.get(kpi=accidents, unit_id=province, kind="TREND")
    assert trend.generation == "current" and trend.since == date(2025, 1, 1)
    assert trend.evidence["n"] == 12 and trend.evidence["p"] < 0.05
    assert trend.evidence["tau"] > 0 and trend.evidence["last_period"] == "2025-12"
    streak = Attention.objects.get(kpi=accidents, unit_id=province, kind="STREAK")
    assert streak.severity == "CRITICAL" and streak.since == date(2025, 10, 1)
    assert streak.evidence["periods"] == ["2025-10", "2025-11", "2025-12"]
    alert = Alert.objects.get(kind=AlertKind.KPI_ATTENTION, resolved_at__isnull=True)
    assert alert.subject == "kpi:traffic-accidents:38"
    assert alert.owner_department == accidents.owner_department
    assert alert.severity == "CRITICAL" and alert.sector == accidents.sector
    assert alert.link == "/dashboard/?kpi=traffic-accidents&unit=38"
    assert "xu hướng xấu đi" in alert.title and "Mann–Kendall" in alert.detail
    assert {i["kind"] for i in alert.evidence["items"]} == {"TREND", "STREAK"}
    assert list(AlertDelivery.objects.values_list("email", flat=True)) == ["csgt@example.vn"]

    again = insights_refresh(codes=["traffic-accidents"], forecasts=False, now=NOW)
    assert again.alerts_new == 0 and Alert.objects.count() == 1  # refreshed, not repeated
    assert Attention.objects.get(pk=trend.pk).detected_at == trend.detected_at

    record(accidents, province, dict(zip(YEAR_2025, [90, 84, 88, 85, 89, 86,
                                                     88, 84, 87, 85, 88, 86])))
    recovered = insights_refresh(codes=["traffic-accidents"], forecasts=False, now=NOW)
    assert recovered.attention == {"TREND": 0, "STREAK": 0} and recovered.alerts_closed == 1
    assert not Attention.objects.filter(kpi=accidents).exists()
    assert Alert.objects.get(pk=alert.pk).resolved_at is not None


def test_a_refresh_of_one_kpi_leaves_the_others_alerts_alone(units, kpi, record):
    from alerts.services import alert_raise

    other, _ = alert_raise(kind=AlertKind.KPI_ATTENTION, subject="kpi:traffic-deaths:38",
                           owner_department="x", title="Số người chết tăng", now=NOW)
    insights_refresh(codes=["traffic-accidents"], forecasts=False, now=NOW)
    assert Alert.objects.get(pk=other.pk).resolved_at is None
    insights_refresh(codes=["traffic-deaths"], forecasts=False, now=NOW)
    assert Alert.objects.get(pk=other.pk).resolved_at is not None


def test_the_current_partial_period_is_left_out(units, kpi, record):
    accidents = kpi("traffic-accidents")
    flat = dict(zip(YEAR_2025, [90, 84, 88, 85, 89, 86, 88, 84, 87, 85, 88, 86]))
    record(accidents, units.province_id, {**flat, date(2026, 1, 1): 10})  # January so far
    insights_refresh(codes=["traffic-accidents"], forecasts=False, now=NOW)
    assert not Attention.objects.exists()


@pytest.mark.slow  # about 4 s: two forecasts fitted
def test_scheduled_forecasts_are_stored_and_recomputed_only_when_the_history_changes(
        units, kpi, record, settings):
    settings.IOC_INSIGHTS_SCHEDULED_FORECASTS = "PROVINCE"
    arrivals = kpi("tourist-arrivals")
    history = dict(zip(months(date(2024, 1, 1), 24),
                       [1000 + 10 * i + (50 if i % 12 in (5, 6, 7) else 0) for i in range(24)]))
    record(arrivals, units.province_id, history)
    first = insights_refresh(codes=["tourist-arrivals"], now=NOW)
    assert (first.forecasts_series, first.forecasts_stored) == (1, 1)
    stored = Forecast.objects.get(kpi=arrivals, unit_id=units.province_id)
    assert stored.based_on_last_period == date(2025, 12, 1) and stored.history_length == 24
    assert [p["period"] for p in stored.points] == [f"2026-0{m}" for m in range(1, 7)]
    assert stored.mape == min(c["mape"] for c in stored.candidates if c["mape"] is not None)

    insights_refresh(codes=["tourist-arrivals"], now=NOW)
    assert Forecast.objects.get(pk=stored.pk).computed_at == stored.computed_at  # kept

    record(arrivals, units.province_id, {date(2025, 12, 1): 2000})  # a correction
    insights_refresh(codes=["tourist-arrivals"], now=NOW)
    assert Forecast.objects.get(pk=stored.pk).history_digest != stored.history_digest


def test_an_unknown_kpi_code_is_refused(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="khong-co"):
        call_command("kpi_insights", "--kpi", "khong-co", "--no-progress")


def test_the_refresh_is_an_hourly_beat_task_of_the_project(units, kpi, record):
    from ioc_gis.celery import BEAT_SCHEDULE, app

    entry = next(e for e in BEAT_SCHEDULE.values() if e["task"] == "insights.refresh")
    assert entry["schedule"] == 3600.0 and "insights.refresh" in app.tasks
    last = periods.containing(timezone.localdate(), periods.MONTH).previous()
    starts = months(periods.shift(last.start, periods.MONTH, -11), 12)
    record(kpi("traffic-accidents"), units.province_id,
           {start: 100.0 + 10 * i for i, start in enumerate(starts)})
    counts = app.tasks["insights.refresh"].apply().get()  # eager: no broker in the tests
    assert counts["attention"]["TREND"] == 1 and counts["alerts_open"] == 1
    assert counts["series"] == len(scope(units)) * Kpi.objects.filter(is_active=True).count()
    assert counts["forecasts_stored"] == 1  # the only series with data


def test_the_local_worker_s_hourly_tick_refreshes_what_needs_attention(units, kpi, record):
    """Without Celery, `integration_worker --follow` (started by `make demo`) runs the hourly
    KPI refresh and the attention list itself."""
    from integration.management.commands.integration_worker import kpi_tick

    accidents = kpi("traffic-accidents")
    this_month = timezone.localdate().replace(day=1)
    last_year = months(periods.shift(this_month, periods.MONTH, -12), 12)  # to last month
    record(accidents, units.province_id,
           dict(zip(last_year, [80, 83, 82, 86, 88, 87, 91, 94, 93, 112, 118, 125])))
    assert not Attention.objects.filter(kpi=accidents).exists()
    kpi_tick()
    assert Attention.objects.filter(kpi=accidents, unit_id=units.province_id,
                                    kind="TREND").exists()
