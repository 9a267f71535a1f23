"""The schedule: a tick (`pull_due`, the Celery beat task `integration.pull_due`, and the local
worker's loop) queues a pull of each connector whose interval has passed, skips those not due,
switched off or taking files, and never queues a second pull while one is queued or running
(a partial unique index). A scheduled pull from a local HTTP server, executed by Celery (eager
here) and by the local worker in a real process; `manage.py pull_connector`."""
import subprocess
import sys
import time
import uuid
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from integration.errors import PullInProgress
from integration.models import Connector, ImportRun, RunStatus, RunTrigger
from integration.pull import pull_due, pull_start
from integration.services import import_run_execute
from layers.models import Feature
from tests.integration.conftest import geojson, rows
from tests.integration.test_pull_errors import SourceServer, pull_connector, serving

source = pytest.fixture(serving, name="source")

T0 = timezone.now().replace(microsecond=0)


def _in_flight(connector) -> int:
    return ImportRun.objects.filter(connector=connector,
                                    status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).count()


@pytest.mark.django_db
def test_a_tick_queues_due_connectors_only_and_never_twice(layer, connector, source):
    url = source.add("/tram.geojson", geojson(rows(3)), content_type="application/geo+json")
    never = pull_connector(layer, url, name="chưa lấy lần nào")
    overdue = pull_connector(layer, url, name="quá hạn", last_pulled_at=T0 - timedelta(hours=2))
    recent = pull_connector(layer, url, name="vừa lấy",
                            last_pulled_at=T0 - timedelta(minutes=10))
    off = pull_connector(layer, url, name="đang tắt", is_active=False)

    queued = pull_due(now=T0, dispatch=False)
    assert {run.connector_id for run in queued} == {never.pk, overdue.pk}
    assert {run.trigger for run in queued} == {RunTrigger.SCHEDULE}
    assert all(run.status == RunStatus.QUEUED and run.source_url == url for run in queued)
    assert set(Connector.objects.filter(last_pulled_at=T0).values_list("pk", flat=True)) == {
        never.pk, overdue.pk}
    assert _in_flight(connector) == _in_flight(off) == _in_flight(recent) == 0

    assert pull_due(now=T0 + timedelta(seconds=30), dispatch=False) == []  # not due again yet
    later = pull_due(now=T0 + timedelta(hours=3), dispatch=False)  # all due; two in flight
    assert [run.connector_id for run in later] == [recent.pk]
    assert _in_flight(never) == _in_flight(overdue) == _in_flight(recent) == 1

    for run in ImportRun.objects.filter(status=RunStatus.QUEUED):
        assert import_run_execute(run=run).status == RunStatus.SUCCEEDED
    assert Feature.objects.filter(layer=layer).count() == 3
    again = pull_due(now=T0 + timedelta(hours=3, minutes=1), dispatch=False)
    assert {run.connector_id for run in again} == {never.pk, overdue.pk}  # in flight no more


@pytest.mark.django_db
def test_the_database_refuses_a_second_pull_in_flight(layer, source):
    pulled = pull_connector(layer, source.url("/x.geojson"))
    first = pull_start(connector=pulled, principal=None, dispatch=False)
    with pytest.raises(PullInProgress) as caught:
        pull_start(connector=pulled, principal=None, dispatch=False)
    assert caught.value.details == {"run": first.pk}
    with pytest.raises(IntegrityError), transaction.atomic():  # even around the service
        ImportRun.objects.create(connector=pulled, trigger=RunTrigger.SCHEDULE, file_name="x",
                                 file_size=0, source_url=pulled.url)
    ImportRun.objects.filter(pk=first.pk).update(status=RunStatus.RUNNING,
                                                 started_at=timezone.now())
    with pytest.raises(PullInProgress):
        pull_start(connector=pulled, principal=None, dispatch=False)
    # uploads are not pulls: they may run beside it
    ImportRun.objects.create(connector=pulled, file_name="a.csv", file_size=1,
                             stored_path="x/data.csv", driver="CSV")


@pytest.mark.django_db
def test_the_beat_task_queues_and_celery_runs_the_pull(layer, source,
                                                       django_capture_on_commit_callbacks):
    from integration.tasks import celery_app, pull_due_task

    entry = celery_app.conf.beat_schedule["integration-pull-due"]
    assert (entry["task"], entry["schedule"]) == ("integration.pull_due", 60.0)
    assert pull_due_task.name in celery_app.tasks
    url = source.add("/tram.geojson", geojson(rows(4)), content_type="application/geo+json")
    pulled = pull_connector(layer, url)
    with django_capture_on_commit_callbacks(execute=True):
        assert pull_due_task.apply().get() == 1  # eager: no broker in tests
    run = ImportRun.objects.get(connector=pulled)
    assert (run.trigger, run.status, run.rows_inserted) == (
        RunTrigger.SCHEDULE, RunStatus.SUCCEEDED, 4), run.message


@pytest.mark.django_db
def test_the_pull_connector_command(layer, connector, source, capsys):
    url = source.add("/tram.geojson", geojson(rows(2)), content_type="application/geo+json")
    pulled = pull_connector(layer, url)
    call_command("pull_connector", str(pulled.pk), "--no-progress")
    assert "SUCCEEDED — Đọc 2 dòng: thêm 2" in capsys.readouterr().out
    call_command("pull_connector", str(pulled.pk), "--queue")
    assert ImportRun.objects.get(connector=pulled, status=RunStatus.QUEUED).trigger == "MANUAL"
    with pytest.raises(CommandError, match="đang có lượt lấy dữ liệu"):
        call_command("pull_connector", str(pulled.pk))
    with pytest.raises(CommandError, match="nhận tệp tải lên"):
        call_command("pull_connector", str(connector.pk))
    broken = pull_connector(layer, "http://127.0.0.1:1/x.geojson")
    with pytest.raises(CommandError, match="Không kết nối được"):
        call_command("pull_connector", str(broken.pk), "--no-progress")


# ---- the local worker, a real process ------------------------------------------------------

@pytest.fixture
def committed_due_connector(django_db_setup, django_db_blocker):
    """A due pull connector onto a new layer, committed, with the server it pulls from."""
    from django.db import connection

    from layers.models import GeometryKind, Layer, Sector
    from tests.integration.conftest import STATION_SCHEMA

    if not connection.settings_dict["NAME"].startswith("test"):
        pytest.fail("not on the test database: run this module whole")
    server = SourceServer()
    url = server.add("/tram.geojson", geojson(rows(5)), content_type="application/geo+json")
    with django_db_blocker.unblock():
        layer = Layer.objects.create(
            slug=f"tram-pull-{uuid.uuid4().hex[:6]}", title_vi="Trạm", title_en="Stations",
            sector=Sector.HEALTH, geometry_kind=GeometryKind.POINT,
            property_schema=STATION_SCHEMA, owner_department="Sở Y tế")
        pulled = pull_connector(layer, url)
    yield pulled, server
    server.stop()
    with django_db_blocker.unblock():
        Feature.objects.filter(layer=layer).delete()
        ImportRun.objects.filter(connector=pulled).delete()
        pulled.delete()
        layer.delete()


@pytest.mark.slow
def test_the_local_worker_pulls_due_connectors_on_its_own(committed_due_connector,
                                                         django_db_blocker):
    from tests.integration.test_workers import ROOT, _env, _stop

    pulled, server = committed_due_connector
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "integration_worker", "--follow", "--interval", "0.2"],
        cwd=ROOT, env=_env(REDIS_URL=""), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    try:
        deadline, run = time.monotonic() + 30, None
        while time.monotonic() < deadline and worker.poll() is None:
            with django_db_blocker.unblock():
                run = ImportRun.objects.filter(connector=pulled).first()
            if run is not None and run.is_finished:
                break
            time.sleep(0.3)
        assert run is not None and run.is_finished, "the worker did not pull"
        assert (run.trigger, run.status, run.rows_inserted) == (
            RunTrigger.SCHEDULE, RunStatus.SUCCEEDED, 5), run.message
        time.sleep(1)  # further loops: not due again for an hour
        with django_db_blocker.unblock():
            assert ImportRun.objects.filter(connector=pulled).count() == 1
    finally:
        output = _stop(worker)
    assert f"run #{run.pk}: queued pull of connector #{pulled.pk}" in output, output
    assert f"run #{run.pk}: SUCCEEDED" in output, output
    assert [path for path, _ in server.requests] == ["/tram.geojson"]

