"""`tiles.maintenance.bulk_writes`: an error inside its block reaches the caller as itself —
no statement runs on the aborted transaction to hide it — and nothing of the block is kept."""
import pytest
from django.db import DatabaseError, connection, transaction

from layers.models import Layer
from tiles.maintenance import bulk_writes

pytestmark = pytest.mark.django_db


def test_an_error_inside_the_block_is_the_error_the_caller_sees():
    layer = Layer.objects.get(slug="schools")
    with pytest.raises(DatabaseError) as raised:
        with transaction.atomic(), bulk_writes([layer]):
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 / 0")
    assert "division by zero" in str(raised.value)
    with connection.cursor() as cursor:  # the transaction went back: the setting with it
        cursor.execute("SELECT coalesce(current_setting('ioc.tiles_bulk', true), '')")
        assert cursor.fetchone()[0] in ("", "off")
