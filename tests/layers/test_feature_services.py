"""Feature writes: validated against the layer's schema, atomic, idempotent, stamped with units."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.gis.geos import LineString, Point
from django.db import IntegrityError, transaction
from shapely.geometry import Point as ShapelyPoint

from layers import selectors
from layers.errors import FeatureValidationError, LayerKindMismatch
from layers.models import Feature, GeometryKind, Layer
from layers.services import features_upsert
from layers.validation import FeatureInput
from tests.factories import make_layer

pytestmark = pytest.mark.django_db

SAM_SON = (105.9, 19.74)
HANOI = (105.85, 21.03)


def well(external_id: str, lon_lat=SAM_SON, **properties) -> FeatureInput:
    return FeatureInput(external_id, {"type": "Point", "coordinates": list(lon_lat)},
                        properties or {"name": f"Giếng {external_id}"})


def test_valid_features_are_inserted_then_left_unchanged():
    layer = make_layer()
    items = [well("a"), well("b", (105.77, 19.80))]
    first = features_upsert(layer=layer, items=items)
    assert (first.inserted, first.updated, first.unchanged) == (2, 0, 0)
    again = features_upsert(layer=layer, items=items)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    changed = features_upsert(layer=layer, items=[well("a", name="Giếng làng")])
    assert (changed.inserted, changed.updated) == (0, 1)
    assert Feature.objects.get(layer=layer, external_id="a").properties == {"name": "Giếng làng"}


def test_one_bad_row_means_nothing_is_written():
    layer = make_layer()
    items = [well("ok"), well("bad", name=""), well("worse", depth_m=-3, name="x", color="red")]
    with pytest.raises(FeatureValidationError) as caught:
        features_upsert(layer=layer, items=items)
    assert not Feature.objects.filter(layer=layer).exists()
    rows = caught.value.details
    assert [r["row"] for r in rows] == [2, 3]
    assert any("name" in e for e in rows[0]["errors"])
    assert any("depth_m" in e for e in rows[1]["errors"])
    assert any("color" in e for e in rows[1]["errors"])  # additionalProperties: false


@pytest.mark.parametrize("geometry, message", [
    ({"type": "LineString", "coordinates": [[105, 19], [105.1, 19.1]]}, "does not fit"),
    ({"type": "Point", "coordinates": [105.9, 95.0]}, "WGS84"),
    ({"type": "Point", "coordinates": [float("nan"), 19.0]}, "finite"),
    ({"type": "Point", "coordinates": []}, "empty"),
    ({"type": "Point"}, "malformed"),
    ({"type": "Point", "coordinates": [105.9, 19.7], "crs": {"type": "name"}}, "crs"),
    ("POINT(105 19)", "GeoJSON"),
])
def test_bad_geometry_is_a_clear_validation_error(geometry, message):
    layer = make_layer()
    with pytest.raises(FeatureValidationError) as caught:
        features_upsert(layer=layer, items=[FeatureInput("x", geometry, {"name": "n"})])
    assert message in " ".join(caught.value.details[0]["errors"])


def test_invalid_polygon_is_rejected_not_a_crash():
    layer = make_layer(geometry_kind=GeometryKind.POLYGON)
    bowtie = {"type": "Polygon", "coordinates": [[[105, 19], [105.1, 19.1], [105.1, 19],
                                                  [105, 19.1], [105, 19]]]}
    unclosed = {"type": "Polygon", "coordinates": [[[105, 19], [105.1, 19.1], [105.1, 19]]]}
    for geometry in (bowtie, unclosed):
        with pytest.raises(FeatureValidationError):
            features_upsert(layer=layer, items=[FeatureInput("x", geometry, {"name": "n"})])


def test_duplicate_external_ids_in_one_input_are_rejected():
    with pytest.raises(FeatureValidationError):
        features_upsert(layer=make_layer(), items=[well("same"), well("same")])


def test_temporal_layers_need_an_aware_time():
    layer = make_layer(is_temporal=True)
    naive = FeatureInput("t", {"type": "Point", "coordinates": list(SAM_SON)}, {"name": "n"},
                         datetime(2025, 1, 1, 8, 0))
    with pytest.raises(FeatureValidationError):
        features_upsert(layer=layer, items=[naive, well("u")])
    aware = FeatureInput("t", ShapelyPoint(*SAM_SON), {"name": "n"},
                         datetime(2025, 1, 1, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    assert features_upsert(layer=layer, items=[aware]).inserted == 1


def test_features_cannot_be_written_to_the_admin_units_layer():
    layer = Layer.objects.get(slug="admin-boundaries")
    with pytest.raises(LayerKindMismatch):
        features_upsert(layer=layer, items=[well("x")])


def test_text_is_stored_in_nfc():
    layer = make_layer()
    import unicodedata

    features_upsert(layer=layer, items=[well("n", name=unicodedata.normalize("NFD", "Giếng Hòa"))])
    assert Feature.objects.get(layer=layer).properties["name"] == "Giếng Hòa"


def test_the_database_stamps_both_generations_unit_codes():
    layer = make_layer()
    features_upsert(layer=layer, items=[well("s"), well("far", HANOI)])
    stamped = Feature.objects.get(layer=layer, external_id="s")
    point = Point(*SAM_SON, srid=4326)
    assert stamped.commune_code == selectors.unit_containing(point=point, day=date.today()).code
    assert stamped.commune_code_pre2025 == selectors.unit_containing(
        point=point, day=date(2025, 6, 30)).code
    assert stamped.district_code_pre2025 == "382"
    outside = Feature.objects.get(layer=layer, external_id="far")
    assert (outside.commune_code, outside.district_code_pre2025) == (None, None)


def test_moving_a_feature_restamps_its_units():
    layer = make_layer()
    features_upsert(layer=layer, items=[well("m")])
    features_upsert(layer=layer, items=[well("m", (105.77, 19.80))])
    assert Feature.objects.get(layer=layer).district_code_pre2025 == "380"


def test_the_database_refuses_a_geometry_of_the_wrong_kind():
    layer = make_layer()
    with pytest.raises(IntegrityError), transaction.atomic():
        Feature.objects.create(layer=layer, external_id="line",
                               geom=LineString((105, 19), (105.1, 19.1), srid=4326))


def test_the_database_refuses_non_object_properties():
    layer = make_layer()
    with pytest.raises(IntegrityError), transaction.atomic():
        Feature.objects.create(layer=layer, external_id="p", geom=Point(105, 19, srid=4326),
                               properties=["not", "an", "object"])


def test_public_property_names_come_from_the_schema():
    assert make_layer().public_property_names() == ["name", "depth_m"]
