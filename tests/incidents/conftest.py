"""Helpers of the incident tests: reports made through the service, staff clients of any role
bound to the units and sectors a test names."""
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.gis.geos import Point
from rest_framework.test import APIClient

from access.models import Jurisdiction
from access.principal import ANONYMOUS
from incidents.services import ReportInput, incident_submit
from layers import selectors

SAM_SON = (105.9, 19.74)
CITY = (105.776, 19.807)   # TP Thanh Hóa: another commune
PHONE = "0912345678"
EMAIL = "nguoidan@example.vn"
NAME = "Nguyễn Văn A"


def commune_at(lon_lat):
    """The current commune (AdminUnit) containing a point."""
    return selectors.unit_containing(point=Point(*lon_lat, srid=4326), day=date.today())


@pytest.fixture
def report(db):
    """report(**fields) → the public id of a citizen report made through the service."""
    def make(lon_lat=SAM_SON, category="an-ninh-trat-tu", **extra) -> str:
        fields = {"title": "Tụ tập gây rối", "description": "Nhóm thanh niên gây ồn ban đêm",
                  "reporter_name": NAME, "reporter_phone": PHONE, **extra}
        incident = incident_submit(principal=ANONYMOUS, report=ReportInput(
            category=category, lon=lon_lat[0], lat=lon_lat[1], **fields))
        return incident.public_id
    return make


@pytest.fixture
def staff(db):
    """staff(role, units=[codes], sectors=[...]) → an APIClient signed in as a new user of that
    role, bound to those units (none: only the role's own reach, e.g. province-wide)."""
    made = []

    def make(role: str, *, units=(), sectors=None, username: str | None = None) -> APIClient:
        user = get_user_model().objects.create_user(
            username or f"u-{role}-{len(made)}", password="x", first_name="Trần",
            last_name="Cán Bộ", email=f"canbo{len(made)}@example.vn")
        user.groups.add(Group.objects.get(name=role))
        if units or sectors:
            jurisdiction = Jurisdiction.objects.create(user=user, sectors=sectors or [])
            jurisdiction.units.set([selectors.unit_get(code=c, day=date.today())
                                    for c in units])
        made.append(user)
        client = APIClient()
        client.force_authenticate(user)
        client.user = user
        return client
    return make
