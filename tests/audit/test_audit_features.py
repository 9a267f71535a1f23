"""Feature writes, including the raw-SQL upsert, leave insert/update/delete events."""
import pytest

from audit.models import FeatureEvent
from audit.selectors import object_history
from audit.services import audit_context
from layers.models import Feature
from layers.services import features_upsert
from layers.validation import FeatureInput
from tests.factories import make_layer

pytestmark = pytest.mark.django_db


def well(external_id: str, lon_lat=(105.9, 19.74), **properties) -> FeatureInput:
    return FeatureInput(external_id, {"type": "Point", "coordinates": list(lon_lat)},
                        properties or {"name": f"Giếng {external_id}"})


def test_upsert_records_insert_then_update_with_before_and_after():
    layer = make_layer()
    with audit_context(command="test-import"):
        features_upsert(layer=layer, items=[well("a"), well("b")])
    feature = Feature.objects.get(layer=layer, external_id="a")

    inserted = FeatureEvent.objects.get(pgh_obj_id=feature.pk)
    assert inserted.pgh_label == "insert"
    assert inserted.properties == {"name": "Giếng a"}
    assert inserted.pgh_diff is None
    assert inserted.pgh_context["command"] == "test-import"
    assert inserted.pgh_db_user  # the database role that wrote it

    features_upsert(layer=layer, items=[well("a", name="Giếng làng"), well("b")])
    update = FeatureEvent.objects.get(pgh_obj_id=feature.pk, pgh_label="update")
    assert update.properties == {"name": "Giếng làng"}  # the row after the update
    assert update.pgh_diff == {"properties": [{"name": "Giếng a"}, {"name": "Giếng làng"}]}
    assert update.pgh_id > inserted.pgh_id
    assert update.pgh_context is None  # written outside any audit context


def test_an_unchanged_upsert_or_save_records_nothing():
    layer = make_layer()
    features_upsert(layer=layer, items=[well("a")])
    feature = Feature.objects.get(layer=layer)
    features_upsert(layer=layer, items=[well("a")])
    feature.save()  # only updated_at (auto_now) changes: not an event
    assert list(FeatureEvent.objects.filter(pgh_obj_id=feature.pk)
                .values_list("pgh_label", flat=True)) == ["insert"]


def test_geometry_change_is_diffed_as_geojson():
    layer = make_layer()
    features_upsert(layer=layer, items=[well("a")])
    features_upsert(layer=layer, items=[well("a", (105.8, 19.8))])
    update = FeatureEvent.objects.get(layer_id=layer.pk, pgh_label="update")
    before, after = update.pgh_diff["geom"]
    assert (before["type"], before["coordinates"]) == ("Point", [105.9, 19.74])
    assert (after["type"], after["coordinates"]) == ("Point", [105.8, 19.8])
    assert "geom_3857" not in update.pgh_diff


def test_delete_records_the_row_before_it_went():
    layer = make_layer()
    features_upsert(layer=layer, items=[well("a")])
    feature = Feature.objects.get(layer=layer)
    Feature.objects.filter(pk=feature.pk).delete()
    deleted = FeatureEvent.objects.get(pgh_obj_id=feature.pk, pgh_label="delete")
    assert deleted.external_id == "a"
    assert deleted.properties == {"name": "Giếng a"}
    assert deleted.geom.coords == (105.9, 19.74)
    assert [e.label for e in object_history(feature)] == ["insert", "delete"]


def test_event_tables_copy_no_generated_column():
    names = {f.name for f in FeatureEvent._meta.fields}
    assert "geom_3857" not in names
    assert {"geom", "properties", "external_id", "layer"} <= names
