"""A small world for access tests: a private SECURITY layer and a public layer, each with one
feature inside the test jurisdiction (Sầm Sơn) and one outside it (TP Thanh Hóa), and users of
every role bound to that jurisdiction."""
from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.gis.geos import Point
from rest_framework.test import APIClient

from access.models import Jurisdiction, Role
from layers import selectors
from layers.models import GeometryKind, Layer, Sector
from layers.services import features_upsert
from layers.validation import FeatureInput
from tests.factories import make_layer

INSIDE = (105.9, 19.74)     # Sầm Sơn
OUTSIDE = (105.776, 19.807)  # TP Thanh Hóa
TODAY = date(2026, 1, 1)


@dataclass
class World:
    private: Layer
    public: Layer
    inside_commune: str
    outside_commune: str


def point_feature(external_id: str, lon_lat) -> FeatureInput:
    return FeatureInput(external_id, {"type": "Point", "coordinates": list(lon_lat)},
                        {"name": f"Điểm {external_id}", "owner_phone": "0900000000"})


@pytest.fixture
def world(db) -> World:
    private = make_layer(slug="test-private", sector=Sector.SECURITY, is_public=False,
                         geometry_kind=GeometryKind.POINT)
    public = make_layer(slug="test-public", sector=Sector.HEALTH, is_public=True)
    for layer in (private, public):
        features_upsert(layer=layer, items=[point_feature("in", INSIDE),
                                            point_feature("out", OUTSIDE)])
    inside = selectors.unit_containing(point=Point(*INSIDE, srid=4326), day=TODAY)
    outside = selectors.unit_containing(point=Point(*OUTSIDE, srid=4326), day=TODAY)
    assert inside.code != outside.code
    return World(private, public, inside.code, outside.code)


ROLE_SECTORS = {"sector_operator": [Sector.SECURITY], "other_sector_operator": [Sector.HEALTH],
                "field_staff": [Sector.SECURITY]}


def make_user(role: str, *, units=(), sectors=None):
    """A user in the group of `role` (other_sector_operator is a sector operator of HEALTH)."""
    group = "sector_operator" if role == "other_sector_operator" else role
    user = get_user_model().objects.create_user(f"u-{role}", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    if units or sectors:
        jurisdiction = Jurisdiction.objects.create(user=user, sectors=sectors or [])
        jurisdiction.units.set(units)
    return user


@pytest.fixture
def client_as(world):
    """client_as(role) → an APIClient signed in as that role, bound to the inside commune."""
    def build(role: str) -> APIClient:
        client = APIClient()
        if role == "anonymous":
            return client
        unit = selectors.unit_get(code=world.inside_commune, day=TODAY)
        user = make_user(role, units=[unit], sectors=ROLE_SECTORS.get(role))
        client.force_authenticate(user)
        return client
    return build


ROLES = ["anonymous", Role.CITIZEN.value, Role.PROVINCE_LEADER.value,
         Role.SECTOR_OPERATOR.value, "other_sector_operator", Role.UNIT_OFFICIAL.value,
         Role.FIELD_STAFF.value, Role.PLANNER.value, Role.WALL_DISPLAY.value,
         Role.ADMINISTRATOR.value]
