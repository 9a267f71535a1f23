"""The database itself refuses to change or remove audit rows."""
import pgtrigger
import pytest
from django.db import DatabaseError, connection, transaction

from audit.log import event_models
from audit.models import FeatureEvent
from layers.services import features_upsert
from layers.validation import FeatureInput
from tests.factories import make_layer

pytestmark = pytest.mark.django_db

TAMPERING = [
    "UPDATE audit_featureevent SET properties = '{}'::jsonb",
    "UPDATE audit_featureevent SET pgh_context = NULL WHERE pgh_id = %(id)s",
    "DELETE FROM audit_featureevent WHERE pgh_id = %(id)s",
    "TRUNCATE audit_featureevent",
    "DELETE FROM pghistory_context",
    "TRUNCATE pghistory_context",
]


@pytest.fixture
def event():
    layer = make_layer()
    point = {"type": "Point", "coordinates": [105.9, 19.74]}
    features_upsert(layer=layer, items=[FeatureInput("a", point, {"name": "Giếng"})])
    return FeatureEvent.objects.get(layer_id=layer.pk)


@pytest.mark.parametrize("sql", TAMPERING)
def test_raw_sql_tampering_is_refused(event, sql):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, {"id": event.pgh_id})
    assert FeatureEvent.objects.get(pgh_id=event.pgh_id).properties == {"name": "Giếng"}


def test_pgtrigger_ignore_does_not_switch_the_guard_off(event):
    with pytest.raises(DatabaseError, match="append-only"):
        with pgtrigger.ignore("audit.FeatureEvent:append_only"), transaction.atomic():
            FeatureEvent.objects.filter(pgh_id=event.pgh_id).delete()


def test_every_event_table_has_the_guard():
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
              JOIN pg_proc p ON p.oid = t.tgfoid
             WHERE p.proname = 'audit_refuse_change' AND t.tgenabled <> 'D'""")
        guarded = {name for (name,) in cursor.fetchall()}
    tables = {m._meta.db_table for m in event_models()}
    assert len(tables) >= 9
    assert tables | {"pghistory_context"} == guarded
