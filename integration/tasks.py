"""The import runs off the request path. With a broker (REDIS_URL) the Celery task runs in a
`celery worker`; without one, a local worker (`manage.py integration_worker`, holding an
advisory lock while it runs) takes queued runs from the database; with neither, Celery runs
the task where it is called (as for every task here, README "Background work").

Pull connectors are due on their own interval: beat runs `integration.pull_due` every minute
(ioc_gis/celery.py), which queues a run per due connector; the local worker does the same tick
itself every IOC_PULL_TICK_SECONDS."""
from celery import shared_task
from django.db import connection

from ioc_gis.celery import app as celery_app  # the project's app (broker from REDIS_URL)

# The local worker holds pg_advisory_lock(WORKER_LOCK[0], WORKER_LOCK[1]) while it runs.
WORKER_LOCK = (7301, 1)

_WORKER_ALIVE_SQL = """
SELECT EXISTS (SELECT 1 FROM pg_locks
                WHERE locktype = 'advisory' AND granted AND classid = %s AND objid = %s
                  AND objsubid = 2
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))
"""


@shared_task(name="integration.import_run")
def import_run_task(run_id: int) -> str:
    """Execute one queued import run; its final status."""
    from .errors import RunNotQueued
    from .models import ImportRun
    from .services import import_run_execute

    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None:
        return "missing"
    try:
        return import_run_execute(run=run).status
    except RunNotQueued:
        return "already-taken"  # a duplicate delivery: another worker has it


@shared_task(name="integration.pull_due")
def pull_due_task() -> int:
    """Queue a pull of every connector whose interval has passed; how many were queued."""
    from .pull import pull_due

    return len(pull_due())


def local_worker_alive() -> bool:
    """Whether `manage.py integration_worker` is running against this database."""
    with connection.cursor() as cursor:
        cursor.execute(_WORKER_ALIVE_SQL, list(WORKER_LOCK))
        return cursor.fetchone()[0]


def run_dispatch(run_id: int) -> None:
    """Hand a committed, queued run to whoever will execute it."""
    if celery_app.conf.task_always_eager and local_worker_alive():
        return  # the local worker polls the queue
    celery_app.tasks[import_run_task.name].apply_async(args=[run_id])
