"""API tokens and jurisdictions are audited, and a token-authenticated write names its token."""
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.gis.geos import Point
from django.utils import timezone
from rest_framework.test import APIClient

from access.models import ApiToken, Jurisdiction
from access.services import api_token_create, api_token_issue
from audit.models import ApiTokenEvent, FeatureEvent, JurisdictionEvent, JurisdictionUnitEvent
from layers.models import AdminUnit
from tests.factories import make_layer

pytestmark = pytest.mark.django_db


@pytest.fixture
def robot():
    user = get_user_model().objects.create_user("he-thong-camera", password=None)
    user.groups.add(Group.objects.get(name="integration_client"))
    return user


SAM_SON = Point(105.9, 19.74, srid=4326)


def _token(user, scopes, units=()):
    return api_token_create(name="Hệ thống camera", user=user, scopes=scopes, units=units,
                            expires_at=timezone.now() + timedelta(days=30))


def test_a_token_write_records_the_token_and_its_user(robot):
    layer = make_layer()
    commune = AdminUnit.objects.get(level="COMMUNE", valid_to__isnull=True,
                                    geom__contains=SAM_SON)
    token, key = _token(robot, ["layers:read", f"layers:write:{layer.slug}"], units=[commune])
    client = APIClient(REMOTE_ADDR="198.51.100.20")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "id": "cam-1", "properties": {"name": "Camera"},
        "geometry": {"type": "Point", "coordinates": list(SAM_SON.coords)}}]}
    path = f"/api/layers/{layer.slug}/features/"
    response = client.post(path, body, format="json")
    assert response.status_code == 200, response.json()

    context = FeatureEvent.objects.get(layer_id=layer.pk, external_id="cam-1").pgh_context
    assert (context["user"], context["username"], context["token"]) == (
        robot.pk, "he-thong-camera", token.pk)
    assert (context["ip"], context["method"], context["path"]) == ("198.51.100.20", "POST", path)
    # using the token stamps last_used_at, which is not an audited change
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    assert list(ApiTokenEvent.objects.filter(pgh_obj_id=token.pk)
                .values_list("pgh_label", flat=True)) == ["insert"]


def test_token_events_never_hold_the_digest(robot):
    token, _ = _token(robot, ["layers:read"])
    old_prefix = token.prefix
    api_token_issue(token=token)  # a new key
    update = ApiTokenEvent.objects.get(pgh_obj_id=token.pk, pgh_label="update")
    assert update.pgh_diff == {"prefix": [old_prefix, token.prefix], "digest": ["***", "***"]}
    assert "digest" not in {f.name for f in ApiTokenEvent._meta.fields}


def test_jurisdiction_and_its_units_are_recorded(robot):
    unit = AdminUnit.objects.filter(level="COMMUNE", valid_to__isnull=True).first()
    jurisdiction = Jurisdiction.objects.create(user=robot, sectors=["TRAFFIC"])
    jurisdiction.units.add(unit)
    jurisdiction.sectors = ["TRAFFIC", "SECURITY"]
    jurisdiction.save()
    jurisdiction.units.remove(unit)
    labels = JurisdictionEvent.objects.filter(pgh_obj_id=jurisdiction.pk).order_by("pgh_id")
    assert [e.pgh_label for e in labels] == ["insert", "update"]
    assert labels[1].pgh_diff == {"sectors": [["TRAFFIC"], ["TRAFFIC", "SECURITY"]]}
    links = JurisdictionUnitEvent.objects.filter(jurisdiction_id=jurisdiction.pk)
    assert sorted((e.pgh_label, e.adminunit_id) for e in links) == [
        ("delete", unit.pk), ("insert", unit.pk)]
