"""Writes of the audit app. Event rows themselves are written only by database triggers; what
the application adds is the context of a write: who, from where, through what."""
import pghistory
from django.db import connection

_CLEAR_SQL = ("SELECT set_config('pghistory.context_id', '', true), "
              "set_config('pghistory.context_metadata', '', true)")


class audit_context(pghistory.context):  # noqa: N801 - used like a function, as pghistory's is
    """Attach `values` to every audited write made inside the block.

    Use as a context manager or decorator; entering it inside another audit context adds to
    (and overrides keys of) the outer one. Called without `with`, it adds to the context that is
    already open, and does nothing when none is. Conventional keys:

    - requests (set by `audit.middleware.AuditContextMiddleware`): user, username, ip, method,
      path, token;
    - management commands and jobs: `command=<name>`, e.g.
      `with audit_context(command="load_demo"): ...`.

    Values must be JSON-serialisable; the triggers copy them onto each event row. pghistory
    sends them as transaction-local settings, which would outlive the block inside a longer
    transaction; leaving the outermost block inside a transaction therefore clears them (on
    the raw connection: housekeeping, not a query of the caller's, so query counts in tests
    stay those of the code under test).
    """

    def __exit__(self, *exc):
        outermost = self._pre_execute_hook is not None
        super().__exit__(*exc)
        if outermost and exc[0] is None and connection.in_atomic_block:
            with connection.connection.cursor() as cursor:
                cursor.execute(_CLEAR_SQL)
