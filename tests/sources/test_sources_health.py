"""Liveness and quality of the data sources: the rule for every state, figures equal to hand
counts, and alerts raised to the owner and closed when the condition clears."""
from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import Alert, AlertKind, Severity
from integration.models import Connector, ImportRun, RunStatus
from layers.models import Feature, GeometryKind, Sector
from layers.services import features_upsert
from layers.validation import FeatureInput
from sources.health import liveness_of
from sources.models import Liveness, SourceStatus
from sources.services import sources_check
from tests.factories import make_layer

pytestmark = pytest.mark.django_db
NOW = timezone.now().replace(microsecond=0)
DAY = timedelta(days=1)


@pytest.mark.parametrize("active, failed, last, expected, state", [
    (False, True, NOW, DAY, Liveness.INACTIVE),
    (True, True, NOW, DAY, Liveness.FAILING),
    (True, False, None, DAY, Liveness.NEVER),
    (True, False, NOW - 3 * DAY, None, Liveness.UNSCHEDULED),
    (True, False, NOW - DAY, DAY, Liveness.FRESH),  # exactly one interval old: still fresh
    (True, False, NOW - DAY - timedelta(seconds=1), DAY, Liveness.STALE),
])
def test_the_liveness_rule(active, failed, last, expected, state):
    assert liveness_of(active=active, failed_last=failed, last_success=last, expected=expected,
                       now=NOW) == state


@pytest.fixture
def layer():
    return make_layer(slug="nguon-tram", sector=Sector.HEALTH, is_public=False,
                      geometry_kind=GeometryKind.POINT, owner_department="Sở Y tế",
                      update_interval=7 * DAY)


def _connector(layer, name="Trạm y tế", **extra) -> Connector:
    fields = {"name": name, "layer": layer, "owner_department": "Sở Y tế", "id_column": "ma",
              "update_interval": DAY}
    fields.update(extra)
    return Connector.objects.create(**fields)


def _run(connector, status, finished, read=0, rejected=0, message="") -> ImportRun:
    counts = {}
    if status == RunStatus.SUCCEEDED:
        counts = {"rows_read": read, "rows_inserted": read - rejected, "rows_rejected": rejected}
    else:
        counts = {"rows_read": read, "rows_rejected": read}
    return ImportRun.objects.create(
        connector=connector, status=status, file_name="f.csv", file_size=1, driver="CSV",
        stored_path="x/f.csv", started_at=finished - timedelta(minutes=1), finished_at=finished,
        message=message, **counts)


def _status(subject) -> SourceStatus:
    return SourceStatus.objects.get(subject=subject)


def test_connector_figures_equal_hand_counts_and_stale_is_alerted(layer):
    connector = _connector(layer)
    _run(connector, RunStatus.SUCCEEDED, NOW - 3 * DAY, read=100, rejected=10)
    _run(connector, RunStatus.SUCCEEDED, NOW - 2 * DAY, read=50, rejected=0)
    _run(connector, RunStatus.SUCCEEDED, NOW - 40 * DAY, read=1000, rejected=1000 - 1)
    sources_check(now=NOW)
    status = _status(f"connector:{connector.pk}")
    assert status.liveness == Liveness.STALE
    assert status.last_success_at == NOW - 2 * DAY
    assert status.validity == round(140 / 150, 4)  # the 40-day-old run is outside the window
    assert status.expected_interval == DAY
    alert = Alert.objects.get(kind=AlertKind.SOURCE_STALE, subject=f"connector:{connector.pk}")
    assert alert.owner_department == "Sở Y tế" and alert.sector == Sector.HEALTH
    assert alert.severity == Severity.WARNING  # two intervals late; critical from three
    assert alert.link == f"/data/?source=connector:{connector.pk}"
    assert alert.resolved_at is None
    # A new successful import clears it at the next check.
    _run(connector, RunStatus.SUCCEEDED, NOW - timedelta(hours=1), read=5)
    sources_check(now=NOW)
    assert _status(f"connector:{connector.pk}").liveness == Liveness.FRESH
    alert.refresh_from_db()
    assert alert.resolved_at == NOW


def test_failing_low_quality_critical_never_and_inactive(layer):
    failing = _connector(layer, "Lỗi")
    _run(failing, RunStatus.SUCCEEDED, NOW - timedelta(hours=5), read=10)
    _run(failing, RunStatus.FAILED, NOW - timedelta(hours=1), message="Tệp hỏng")
    dirty = _connector(layer, "Bẩn")
    _run(dirty, RunStatus.SUCCEEDED, NOW - timedelta(hours=1), read=10, rejected=5)
    late = _connector(layer, "Trễ")
    _run(late, RunStatus.SUCCEEDED, NOW - 4 * DAY, read=10)
    never = _connector(layer, "Chưa")
    off = _connector(layer, "Tắt", is_active=False)
    _run(off, RunStatus.SUCCEEDED, NOW - 30 * DAY, read=10)
    sources_check(now=NOW)
    state = {c.name: _status(f"connector:{c.pk}").liveness
             for c in (failing, dirty, late, never, off)}
    assert state == {"Lỗi": Liveness.FAILING, "Bẩn": Liveness.FRESH, "Trễ": Liveness.STALE,
                     "Chưa": Liveness.NEVER, "Tắt": Liveness.INACTIVE}
    open_alerts = {(a.kind, a.subject): a for a in Alert.objects.filter(resolved_at=None)}
    assert open_alerts[(AlertKind.SOURCE_FAILING, f"connector:{failing.pk}")].detail == "Tệp hỏng"
    assert (AlertKind.QUALITY_LOW, f"connector:{dirty.pk}") in open_alerts
    assert open_alerts[(AlertKind.SOURCE_STALE, f"connector:{late.pk}")].severity \
        == Severity.CRITICAL
    assert not any(subject in (f"connector:{never.pk}", f"connector:{off.pk}")
                   for _, subject in open_alerts)


def test_layer_completeness_and_staleness_not_doubled_by_its_connector(layer):
    features_upsert(layer=layer, items=[
        FeatureInput(f"f{i}", {"type": "Point", "coordinates": [105.78, 19.8 + i * 1e-3]},
                     {"name": f"Trạm {i}", "depth_m": 1.0} if i < 3 else {"name": "Trạm 3"})
        for i in range(4)])
    # The schema later requires a depth: the feature stored without one is now incomplete.
    layer.property_schema = {**layer.property_schema, "required": ["name", "depth_m"]}
    layer.save()
    Feature.objects.filter(layer=layer).update(updated_at=NOW - 10 * DAY)
    sources_check(now=NOW)
    status = _status(f"layer:{layer.slug}")
    assert status.feature_count == 4 and status.completeness == 0.75  # 3 of 4 have a depth
    assert status.liveness == Liveness.STALE  # 10 days against a 7-day interval
    assert Alert.objects.filter(subject=f"layer:{layer.slug}", resolved_at=None).count() == 2
    # Once a connector feeds the layer, its own alert speaks for the staleness.
    connector = _connector(layer)
    _run(connector, RunStatus.SUCCEEDED, NOW - 9 * DAY, read=4)
    sources_check(now=NOW)
    kinds = set(Alert.objects.filter(resolved_at=None).values_list("kind", "subject"))
    assert (AlertKind.SOURCE_STALE, f"layer:{layer.slug}") not in kinds
    assert (AlertKind.SOURCE_STALE, f"connector:{connector.pk}") in kinds
    assert (AlertKind.QUALITY_LOW, f"layer:{layer.slug}") in kinds  # completeness still 75 %


def test_sources_that_vanish_lose_their_status_and_alerts(layer):
    connector = _connector(layer)
    _run(connector, RunStatus.FAILED, NOW - DAY, message="x")
    sources_check(now=NOW)
    subject = f"connector:{connector.pk}"
    assert SourceStatus.objects.filter(subject=subject).exists()
    ImportRun.objects.filter(connector=connector).delete()
    connector.delete()
    sources_check(now=NOW + timedelta(minutes=5))
    assert not SourceStatus.objects.filter(subject=subject).exists()
    assert not Alert.objects.filter(subject=subject, resolved_at=None).exists()


def test_sensor_streams_report_their_last_message_and_validity(layer):
    from observations.models import SensorStream, StreamStats

    stream = SensorStream.objects.create(
        name="Mực nước sông Mã", owner_department="Sở Nông nghiệp và Môi trường",
        topic_filter="test/thuy-van/+", mapping={"station": "id", "time": "ts",
                                                 "metrics": {"water_level_m": "level"}},
        station_layer=layer, expected_interval=timedelta(minutes=15))
    StreamStats.objects.create(stream=stream, last_message_at=NOW - timedelta(minutes=5),
                               last_accepted_at=NOW - timedelta(minutes=40),
                               messages_accepted=90, messages_rejected=10)
    sources_check(now=NOW)
    status = _status(f"stream:{stream.pk}")
    assert status.liveness == Liveness.STALE and status.validity == 0.9
    assert status.detail["messages_rejected"] == 10
    assert Alert.objects.filter(kind=AlertKind.SOURCE_STALE, subject=f"stream:{stream.pk}",
                                owner_department="Sở Nông nghiệp và Môi trường").exists()


def test_the_local_worker_s_tick_checks_sources_and_sends_alert_mail(layer):
    from django.core import mail

    from alerts.models import DepartmentContact
    from integration.management.commands.integration_worker import sources_tick

    DepartmentContact.objects.create(department="Sở Y tế", mailbox="hopthu@syt.vn")
    connector = _connector(layer)
    _run(connector, RunStatus.FAILED, NOW - DAY, message="Tệp hỏng")
    sources_tick()
    assert _status(f"connector:{connector.pk}").liveness == Liveness.FAILING
    assert [m.to for m in mail.outbox] == [["hopthu@syt.vn"]]
