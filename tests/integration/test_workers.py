"""Imports off the request path, in real processes: a `celery worker` against Redis, and the
local worker (`manage.py integration_worker`) that serves when no broker is configured. The
workers see committed data only, so these tests commit their layer, connector and run, and
remove them afterwards."""
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.incidents.test_escalation_worker import _database_url, _redis_url
from tests.integration.conftest import MAPPING, STATION_SCHEMA, geojson, rows, start

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.mark.django_db  # first: it makes pytest-django switch to the test database
def test_the_task_is_registered_with_the_project_app():
    from integration.tasks import celery_app, import_run_task

    assert import_run_task.name in celery_app.tasks
    assert celery_app.conf.task_default_queue == "ioc-gis"


@pytest.fixture
def committed_run(django_db_setup, django_db_blocker, settings, tmp_path):
    """A queued run of 3 rows, committed (its file under the shared import directory)."""
    from django.db import connection

    from integration.models import Connector, ImportRun
    from layers.models import Feature, GeometryKind, Layer, Sector

    if not connection.settings_dict["NAME"].startswith("test"):
        pytest.fail("not on the test database: run this module whole (its first test sets the "
                    "test database up), never -k one of these tests alone")

    path = tmp_path / "tram.geojson"
    path.write_bytes(geojson(rows(3)))
    with django_db_blocker.unblock():
        layer = Layer.objects.create(
            slug=f"tram-worker-{uuid.uuid4().hex[:6]}", title_vi="Trạm", title_en="Stations",
            sector=Sector.HEALTH, geometry_kind=GeometryKind.POINT,
            property_schema=STATION_SCHEMA, owner_department="Sở Y tế")
        connector = Connector.objects.create(name="worker", layer=layer, id_column="ma",
                                             owner_department="Sở Y tế", field_mapping=MAPPING)
        run = start(connector, path)
    yield run
    with django_db_blocker.unblock():
        import shutil

        shutil.rmtree(Path(settings.IOC_IMPORT_DIR) / run.stored_path.split("/")[0],
                      ignore_errors=True)
        Feature.objects.filter(layer=layer).delete()
        ImportRun.objects.filter(connector=connector).delete()
        connector.delete()
        layer.delete()


def _wait_for(run_id: int, blocker, process, seconds: float = 30):
    from integration.models import ImportRun

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        with blocker.unblock():
            run = ImportRun.objects.get(pk=run_id)
        if run.is_finished:
            return run
        time.sleep(0.3)
    raise AssertionError("the worker did not finish the run")


def _stop(process) -> str:
    process.terminate()
    try:
        output, _ = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output


def _env(**extra) -> dict:
    from django.conf import settings

    # the worker reads the uploads where this process stored them
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ioc_gis.settings.test",
           "DATABASE_URL": _database_url(), "IOC_IMPORT_DIR": str(settings.IOC_IMPORT_DIR),
           **extra}
    env.pop("IOC_TEST_DB_NAME", None)
    return env


def test_a_real_celery_worker_imports_a_queued_run(committed_run, django_db_blocker):
    from celery import Celery

    redis_url, queue = _redis_url(), f"ioc-test-{uuid.uuid4().hex[:12]}"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ioc_gis.celery", "worker", "--pool", "solo",
         "--queues", queue, "--without-gossip", "--without-mingle", "--without-heartbeat",
         "--loglevel", "WARNING"],
        cwd=ROOT, env=_env(REDIS_URL=redis_url), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    producer = Celery("ioc-test-producer", broker=redis_url)
    try:
        producer.send_task("integration.import_run", args=[committed_run.pk], queue=queue)
        run = _wait_for(committed_run.pk, django_db_blocker, worker)
        assert run.status == "SUCCEEDED", run.message
        assert (run.rows_inserted, run.progress_done) == (3, 3)
    finally:
        output = _stop(worker)
        producer.close()
        import redis

        redis.Redis.from_url(redis_url).delete(queue)
    assert "Traceback" not in output, output


def test_without_a_broker_the_local_worker_takes_queued_runs(committed_run, django_db_blocker):
    from integration.tasks import local_worker_alive, run_dispatch

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "integration_worker", "--follow", "--interval", "0.2"],
        cwd=ROOT, env=_env(REDIS_URL=""), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    try:
        deadline = time.monotonic() + 20
        with django_db_blocker.unblock():
            while not local_worker_alive() and time.monotonic() < deadline:
                time.sleep(0.2)
            assert local_worker_alive()
            run_dispatch(committed_run.pk)  # no broker, a worker: left queued for it
        run = _wait_for(committed_run.pk, django_db_blocker, worker)
        assert run.status == "SUCCEEDED", run.message
        assert run.rows_inserted == 3
    finally:
        output = _stop(worker)
    assert f"run #{committed_run.pk}: SUCCEEDED" in output, output
    with django_db_blocker.unblock():
        assert not local_worker_alive()
