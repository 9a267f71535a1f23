"""`layers.selectors.in_bbox`: the WGS84 box's Web Mercator image meets the (layer,
geom_3857) index and the stored geometry answers exactly, so it selects exactly the points
inside the box or on its edges (counted here in Python), for a box of no area or no width and
up to the poles (clamped to Web Mercator's range). At scale the planner takes the index; with
400 rows it may scan, so the plan is not asserted here."""
import random

import pytest

from layers.models import Feature, GeometryKind, Layer, Sector
from layers.selectors import in_bbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def scattered() -> Layer:
    layer = Layer.objects.create(slug="bbox-scattered", title_vi="b", title_en="b",
                                 sector=Sector.HEALTH, geometry_kind=GeometryKind.POINT,
                                 owner_department="Sở Y tế",
                                 property_schema={"type": "object", "properties": {}})
    rng = random.Random(4326)
    Feature.objects.bulk_create(
        Feature(layer=layer, external_id=str(n),
                geom=f"SRID=4326;POINT({rng.uniform(104.3, 106.1)} {rng.uniform(19.2, 20.7)})")
        for n in range(400))
    Feature.objects.create(layer=layer, external_id="corner", geom="SRID=4326;POINT(105.5 20)")
    return layer


BOXES = [(105.0, 19.5, 105.6, 20.1), (105.5, 20.0, 105.5, 20.0),  # a box of no area
         (105.5, 19.0, 106.0, 20.0), (104.0, 19.0, 104.2, 19.1),  # corner on the edge; empty
         (105.5, 19.0, 105.5, 21.0),  # a box of no width: a line through the corner
         (-180.0, -90.0, 180.0, 90.0), (105.2, -90.0, 105.4, 90.0)]  # to the poles


@pytest.mark.parametrize("box", BOXES)
def test_in_bbox_selects_what_a_plain_intersection_does(scattered, box):
    features = Feature.objects.filter(layer=scattered)
    west, south, east, north = box
    expected = {f.external_id for f in features
                if west <= f.geom.x <= east and south <= f.geom.y <= north}
    found = set(features.filter(in_bbox(box)).values_list("external_id", flat=True))
    assert found == expected
    if box == BOXES[1]:
        assert found == {"corner"}  # a box of no area meets the point on it
    if box == BOXES[0]:
        assert len(found) > 20  # the sample reaches the case

