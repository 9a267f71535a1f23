"""Fixtures of the wall tests: users of a role, bound to a commune or to the whole province,
API clients signed in as them, and incidents placed and timed as a test needs."""
from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone
from rest_framework.test import APIClient

from tests.access.conftest import INSIDE, OUTSIDE, TODAY


@pytest.fixture
def communes(db) -> dict:
    """{"in": commune unit of Sầm Sơn, "out": commune unit of TP Thanh Hóa}."""
    from layers import selectors

    units = {where: selectors.unit_containing(point=Point(*lon_lat, srid=4326), day=TODAY)
             for where, lon_lat in (("in", INSIDE), ("out", OUTSIDE))}
    assert units["in"].code != units["out"].code
    return units


@pytest.fixture
def user_as(communes):
    """user_as(role, units=("in",) | "province", sectors=None) → a fresh user of that role,
    named u-<role>, u-<role>-2, …"""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from access.models import Jurisdiction
    from layers.models import AdminLevel, AdminUnit

    made: dict[str, int] = {}

    def build(role: str, *, units=("in",), sectors=None):
        made[role] = made.get(role, 0) + 1
        name = f"u-{role}" + (f"-{made[role]}" if made[role] > 1 else "")
        user = get_user_model().objects.create_user(name, password="x", is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        if units == "province":
            bound = [AdminUnit.objects.get(level=AdminLevel.PROVINCE, valid_to__isnull=True)]
        else:
            bound = [communes[where] for where in units]
        if bound or sectors:
            jurisdiction = Jurisdiction.objects.create(user=user, sectors=sectors or [])
            jurisdiction.units.set(bound)
        return user
    return build


@pytest.fixture
def api_as(user_as):
    """api_as(role, **user_as options) → an APIClient signed in as a fresh user of that role."""
    def build(role: str, **options) -> APIClient:
        client = APIClient()
        if role != "anonymous":
            client.force_authenticate(user_as(role, **options))
        return client
    return build


@pytest.fixture
def incident_at(db):
    """incident_at(where, category="khac", title=…, **fields) → a citizen's report at the inside
    or outside point, then `fields` (status, created_at, due_at, resolved_at …) written as
    given (bypassing the workflow, to build a hand-counted state)."""
    from access.principal import ANONYMOUS
    from incidents.models import Incident
    from incidents.services import ReportInput, incident_submit

    def build(where: str = "in", *, category: str = "khac", title: str = "Đèn đường hỏng",
              **fields) -> Incident:
        lon, lat = INSIDE if where == "in" else OUTSIDE
        incident = incident_submit(principal=ANONYMOUS, report=ReportInput(
            category=category, lon=lon, lat=lat, title=title, description="Mô tả"))
        if fields:
            Incident.objects.filter(pk=incident.pk).update(**fields)
            incident.refresh_from_db()
        return incident
    return build


def ago(**delta) -> timezone.datetime:
    """The moment `delta` before now."""
    return timezone.now() - timedelta(**delta)
