"""A run's progress, visible while its import transaction is still open: written through a
second, autocommitted database connection (never waiting on a lock: a row locked by someone
else is skipped), and passed on to an optional callback (the command's tqdm bar)."""
from collections.abc import Callable

from django.db import connection

from . import conf

Callback = Callable[[str, int, int], None]  # (phase, done, total)

_UPDATE_SQL = """
UPDATE integration_importrun SET phase = %s, progress_done = %s, progress_total = %s
 WHERE id = (SELECT id FROM integration_importrun WHERE id = %s FOR UPDATE SKIP LOCKED)
"""


class ProgressReporter:
    """Phase and done/total of one run, every `IOC_IMPORT_PROGRESS_EVERY` rows."""

    def __init__(self, run_id: int, callback: Callback | None = None) -> None:
        self.run_id = run_id
        self.callback = callback
        self.every = int(conf.get("IOC_IMPORT_PROGRESS_EVERY"))
        self.phase = ""
        self.total = 0
        self._last = 0
        self._connection = None

    def start(self, phase: str, total: int) -> None:
        """Enter a phase of `total` steps (announced at once)."""
        self.phase, self.total, self._last = phase, total, 0
        self._publish(0)

    def advance(self, done: int) -> None:
        """`done` of the phase's steps are complete."""
        if done - self._last >= self.every or done >= self.total:
            self._last = done
            self._publish(done)

    def close(self) -> None:
        """Release the second connection."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _publish(self, done: int) -> None:
        done = min(done, self.total)
        if self.callback:
            self.callback(self.phase, done, self.total)
        with self._cursor() as cursor:
            cursor.execute(_UPDATE_SQL, [self.phase, done, self.total, self.run_id])

    def _cursor(self):
        if self._connection is None:
            params = {k: v for k, v in connection.get_connection_params().items()
                      if k != "cursor_factory"}
            self._connection = connection.Database.connect(**params)
            self._connection.autocommit = True
        return self._connection.cursor()
