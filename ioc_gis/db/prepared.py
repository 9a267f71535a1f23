"""Statements PostgreSQL plans once per connection (PREPARE, then EXECUTE).

For the statements on the hottest paths, planning cost as much as running them: a citizen's
report (routing and the insert; the routing lookup: 0.25 ms planned each time, 0.09 ms
prepared; pgbench, one client) and every uncached tile (tiles/prepared.py). A prepared statement
lives as long as its session: the names prepared are remembered per raw connection, so a
reconnect prepares again; schema changes make PostgreSQL re-plan by itself; a session that lost
its statements (DEALLOCATE, a pooler's DISCARD ALL) prepares again when it is not inside a
transaction. Not for a transaction-mode connection pooler (pgbouncer), which would hand the
EXECUTE to another session — we connect to PostgreSQL directly."""
import hashlib
import re
import weakref
from functools import lru_cache

from django.db import DatabaseError, connection, transaction

_prepared: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()
UNDEFINED_PREPARED_STATEMENT = "26000"  # SQLSTATE of EXECUTE of an unknown name
NAMED_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


class NotPreparable(Exception):
    """PostgreSQL refused to PREPARE the text (e.g. it cannot infer a parameter's type)."""


class PreparedStatement:
    """`sql` with `count` parameters $1…$n; `types`, if given, their PostgreSQL types (e.g.
    "float8"), else PostgreSQL infers them from where they are used."""

    def __init__(self, name: str, sql: str, types: list[str] | None = None,
                 count: int | None = None) -> None:
        if not name.isidentifier():
            raise ValueError(f"not a statement name: {name!r}")
        self.name, self.sql = name, sql
        self.count = len(types) if types else (count or 0)
        self.prepare_sql = (f"PREPARE {name} ({', '.join(types)}) AS {sql}" if types
                            else f"PREPARE {name} AS {sql}")
        self.execute_sql = (f"EXECUTE {name} ({', '.join(['%s'] * self.count)})" if self.count
                            else f"EXECUTE {name}")

    def execute(self, cursor, params: list) -> None:
        """Run on `cursor` (a Django cursor of the default connection) with `params`."""
        if len(params) != self.count:
            raise ValueError(f"{self.name} takes {self.count} parameters, not {len(params)}")
        names = _prepared.setdefault(connection.connection, set())
        if self.name not in names:
            self._prepare_in(cursor, names)
        try:
            cursor.execute(self.execute_sql, params)
        except DatabaseError as error:
            if getattr(error.__cause__, "pgcode", None) != UNDEFINED_PREPARED_STATEMENT:
                raise  # the statement failed, its preparation stands
            names.clear()  # whatever removed this one removed the others
            if connection.in_atomic_block:  # an aborted transaction stays so
                raise
            self._prepare_in(cursor, names)
            cursor.execute(self.execute_sql, params)

    def _prepare_in(self, cursor, names: set[str]) -> None:
        # PREPARE is not undone by a rollback: once it succeeded, it stays for the session.
        # Inside a transaction it runs under a savepoint, so a refusal leaves it usable.
        try:
            if connection.in_atomic_block:
                with transaction.atomic(savepoint=True):
                    cursor.execute(self.prepare_sql)
            else:
                cursor.execute(self.prepare_sql)
        except DatabaseError as error:
            raise NotPreparable(f"{self.name}: {error}") from error
        names.add(self.name)


@lru_cache(maxsize=1024)
def prepared_from_named(sql: str, prefix: str) -> tuple[PreparedStatement, tuple[str, ...]]:
    """A statement for a text with named %(x)s placeholders (as builders make them), named
    after a hash of the text, and the parameter names in $1…$n order."""
    order: list[str] = []

    def numbered(match: re.Match) -> str:
        if match.group(1) not in order:
            order.append(match.group(1))
        return f"${order.index(match.group(1)) + 1}"

    text = NAMED_PLACEHOLDER.sub(numbered, sql).replace("%%", "%")
    name = f"{prefix}_" + hashlib.blake2b(sql.encode(), digest_size=10).hexdigest()
    return PreparedStatement(name, text, count=len(order)), tuple(order)
