"""Transaction-local flags our database triggers read (`current_setting('ioc.…', true)`): a
bulk writer tells a trigger to skip per-row work it does set-based instead."""
import contextlib

from django.db import connection

# The flags the triggers know (an allow-list: the name is written into SQL).
FLAGS = frozenset({"ioc.tiles_bulk", "ioc.units_stamped"})


@contextlib.contextmanager
def local_flag(name: str):
    """Inside a transaction: the flag is 'on' for the block, 'off' after it. On an error no SQL
    runs on the way out (the transaction is aborted, and a statement would hide the error):
    the rollback undoes the SET LOCAL with everything else."""
    if name not in FLAGS:
        raise ValueError(f"{name!r} is not a known flag")
    if not connection.in_atomic_block:
        raise RuntimeError(f"{name} must be set inside transaction.atomic()")
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL {name} = 'on'")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL {name} = 'off'")
