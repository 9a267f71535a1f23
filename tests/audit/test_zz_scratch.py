import json
import pytest
from django.db import connection
from audit.models import TrackedFeature, FeatureEvent
from audit.events import _diff_sql, diff_fields
from layers.services import features_upsert
from tests.audit.test_audit_overhead import _items, _explain_upsert
from tests.factories import make_layer

pytestmark = pytest.mark.django_db

def sql(s):
    with connection.cursor() as c:
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        c.execute(s)

def show(plan):
    return round(plan["Execution Time"]/1000, 2), [(t["Trigger Name"][:24], round(t["Time"]/1000,2)) for t in plan.get("Triggers", [])]

def test_scratch():
    pgids = {t.name: t.get_pgid(TrackedFeature) for t in TrackedFeature._meta.triggers}
    cols = [f.column for f in diff_fields(FeatureEvent)]
    base = "INSERT INTO audit_featureevent (pgh_created_at, pgh_label, pgh_obj_id, id, layer_id, external_id, geom, properties, created_at, updated_at{extra}) VALUES (NOW(), 'x', NEW.id, NEW.id, NEW.layer_id, NEW.external_id, NEW.geom, NEW.properties, NEW.created_at, NEW.updated_at{extrav});"
    variants = {
        "min": (base.format(extra="", extrav=""), ""),
        "diff_nogeom": (base.format(extra=", pgh_diff", extrav=", " + _diff_sql([c for c in cols if c != "geom"], [])), ""),
        "diff_all": (base.format(extra=", pgh_diff", extrav=", " + _diff_sql(cols, [])), ""),
        "geomcmp": ("PERFORM OLD.geom IS DISTINCT FROM NEW.geom; " + base.format(extra="", extrav=""), ""),
    }
    print()
    for i, (name, (body, when)) in enumerate(variants.items()):
        layer = make_layer()
        features_upsert(layer=layer, items=_items(i, n=10000))
        sql(f"ALTER TABLE layers_feature DISABLE TRIGGER {pgids['update_update']}")
        sql(f"CREATE FUNCTION exp_{i}() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN {body} RETURN NULL; END $f$")
        sql(f"CREATE TRIGGER exp_{i} AFTER UPDATE ON layers_feature FOR EACH ROW {when} EXECUTE FUNCTION exp_{i}()")
        print(name, show(_explain_upsert(layer, _items(i, n=10000, label="X"))))
        sql(f"DROP TRIGGER exp_{i} ON layers_feature")
        sql(f"ALTER TABLE layers_feature ENABLE TRIGGER {pgids['update_update']}")
    layer = make_layer()
    features_upsert(layer=layer, items=_items(9, n=10000))
    print("real", show(_explain_upsert(layer, _items(9, n=10000, label="X"))))
    with connection.cursor() as c:
        c.execute("SELECT pgh_diff FROM audit_featureevent WHERE layer_id = %s AND pgh_label='update' LIMIT 2", [layer.pk])
        print(c.fetchall())
