"""Statements PostgreSQL plans once per connection (PREPARE, then EXECUTE).

For the few statements on the hottest write path (a citizen's report: routing and the insert),
planning cost as much as running them (the routing lookup: 0.25 ms planned each time, 0.09 ms
prepared; pgbench, one client). A prepared statement lives as long as its session: the names
prepared are remembered per raw connection, so a reconnect prepares again; schema changes make
PostgreSQL re-plan by itself. Not for a transaction-mode connection pooler (pgbouncer), which
would hand the EXECUTE to another session — we connect to PostgreSQL directly."""
import weakref

from django.db import connection

_prepared: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()


class PreparedStatement:
    """`sql` with `count` parameters $1…$n; `types`, if given, their PostgreSQL types (e.g.
    "float8"), else PostgreSQL infers them from where they are used."""

    def __init__(self, name: str, sql: str, types: list[str] | None = None,
                 count: int | None = None) -> None:
        if not name.isidentifier():
            raise ValueError(f"not a statement name: {name!r}")
        self.name, self.sql = name, sql
        self.count = len(types) if types else (count or 0)
        self._prepare = (f"PREPARE {name} ({', '.join(types)}) AS {sql}" if types
                         else f"PREPARE {name} AS {sql}")
        self._execute = (f"EXECUTE {name} ({', '.join(['%s'] * self.count)})" if self.count
                         else f"EXECUTE {name}")

    def execute(self, cursor, params: list) -> None:
        """Run on `cursor` (a Django cursor of the default connection) with `params`."""
        if len(params) != self.count:
            raise ValueError(f"{self.name} takes {self.count} parameters, not {len(params)}")
        raw = connection.connection
        names = _prepared.setdefault(raw, set())
        if self.name not in names:
            # PREPARE is not undone by a rollback: once it succeeded, it stays for the session.
            cursor.execute(self._prepare)
            names.add(self.name)
        cursor.execute(self._execute, params)
