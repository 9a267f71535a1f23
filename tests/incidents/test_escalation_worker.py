"""The escalation task through a real Celery worker and a real Redis broker, as production runs
it (`celery -A ioc_gis.celery worker`). The worker is another process: it sees committed data
only, so this test commits its incident and removes it afterwards."""
import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _redis_url() -> str:
    import redis
    from django.conf import settings

    url = settings.REDIS_URL or os.environ.get("IOC_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {url} (the Celery worker test needs one)")
    return url


def _database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}" \
           f"/{s['NAME']}"


@pytest.mark.django_db  # also makes pytest-django create the test database for this module
def test_without_a_broker_tasks_run_where_they_are_called():
    from ioc_gis.celery import celery_settings

    assert celery_settings("")["task_always_eager"] is True
    assert celery_settings("")["broker_url"] == "memory://"
    production = celery_settings("redis://127.0.0.1:6379/0")
    assert production["broker_url"] == "redis://127.0.0.1:6379/0"
    assert production["task_always_eager"] is False
    scheduled = {e["task"] for e in production["beat_schedule"].values()}
    assert {"incidents.escalate_overdue", "incidents.deliver_notifications"} <= scheduled
    # Every scheduled task is one a worker knows (a typo or an undiscovered module would
    # only show in production, as "received unregistered task").
    from ioc_gis.celery import app

    app.loader.import_default_modules()
    assert scheduled <= set(app.tasks), scheduled - set(app.tasks)


@pytest.fixture
def committed_overdue_incident(django_db_setup, django_db_blocker):
    """An overdue incident committed to the test database (the worker's view), then removed."""
    from django.utils import timezone

    from access.principal import ANONYMOUS
    from incidents.models import Incident
    from incidents.services import ReportInput, incident_submit
    from layers.models import Feature

    with django_db_blocker.unblock():
        incident = incident_submit(principal=ANONYMOUS, report=ReportInput(
            category="khac", lon=105.9, lat=19.74, title="Ổ gà", description="Ổ gà lớn"))
        Incident.objects.filter(pk=incident.pk).update(
            due_at=timezone.now() - timedelta(minutes=5))
    yield incident.public_id
    with django_db_blocker.unblock():
        Feature.objects.filter(layer__slug="incidents", external_id=incident.public_id).delete()
        Incident.objects.filter(pk=incident.pk).delete()


def test_a_real_worker_escalates_overdue_incidents(committed_overdue_incident,
                                                   django_db_blocker):
    from celery import Celery

    from incidents.models import Incident

    redis_url, queue = _redis_url(), f"ioc-test-{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ioc_gis.settings.test",
           "DATABASE_URL": _database_url(), "REDIS_URL": redis_url}
    env.pop("IOC_TEST_DB_NAME", None)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ioc_gis.celery", "worker", "--pool", "solo",
         "--queues", queue, "--without-gossip", "--without-mingle", "--without-heartbeat",
         "--loglevel", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    producer = Celery("ioc-test-producer", broker=redis_url)
    try:
        producer.send_task("incidents.escalate_overdue", queue=queue)
        deadline = time.monotonic() + 20
        level = 0
        while time.monotonic() < deadline and worker.poll() is None:
            with django_db_blocker.unblock():
                level = Incident.objects.get(public_id=committed_overdue_incident
                                             ).escalation_level
            if level:
                break
            time.sleep(0.3)
        assert level == 1, "the worker did not run the task in 20 s"
        with django_db_blocker.unblock():
            incident = Incident.objects.get(public_id=committed_overdue_incident)
            assert incident.assigned_unit_code == "38"
            assert incident.events.filter(kind="escalated").count() == 1
    finally:
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
        producer.close()
        import redis

        redis.Redis.from_url(redis_url).delete(queue)
    assert "Traceback" not in output, output
