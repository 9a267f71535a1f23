"""The admin is not a back door: staff see and change only what the API lets them."""
import pytest

from layers.models import Feature
from tests.access.conftest import TODAY, make_user
from layers import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(world):
    unit = selectors.unit_get(code=world.inside_commune, day=TODAY)
    return make_user("sector_operator", units=[unit], sectors=["SECURITY"])


def test_the_feature_changelist_is_scoped(client, world, operator):
    client.force_login(operator)
    page = client.get(f"/admin/layers/feature/?layer__id__exact={world.private.pk}")
    assert page.status_code == 200
    shown = {f.external_id for f in page.context["cl"].queryset}
    assert shown == {"in"}


def test_a_feature_outside_the_jurisdiction_is_not_found(client, world, operator):
    client.force_login(operator)
    outside = Feature.objects.get(layer=world.private, external_id="out")
    response = client.get(f"/admin/layers/feature/{outside.pk}/change/")
    assert response.status_code == 302  # the admin redirects: "does not exist"
    assert Feature.objects.filter(pk=outside.pk).exists()


def test_moving_a_feature_outside_is_refused(client, world, operator):
    client.force_login(operator)
    inside = Feature.objects.get(layer=world.private, external_id="in")
    response = client.post(f"/admin/layers/feature/{inside.pk}/change/", {
        "layer": world.private.pk, "external_id": "in",
        "geom": '{"type": "Point", "coordinates": [105.776, 19.807]}',
        "properties": '{"name": "Dời đi"}', "observed_at_0": "", "observed_at_1": "",
    })
    assert response.status_code == 200
    assert "ngoài phạm vi" in response.content.decode()
    inside.refresh_from_db()
    assert inside.geom.x == pytest.approx(105.9)
