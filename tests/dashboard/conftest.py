"""Fixtures of the dashboard's tests: committed demo KPIs for the module, and API clients of
staff of a role, province-wide or bound to a unit."""
import pytest
from rest_framework.test import APIClient

from tests.dashboard.dashboard_seed import committed_kpis


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo KPIs, committed for the module's tests."""
    with committed_kpis(django_db_blocker) as report:
        yield report


@pytest.fixture
def staff(db):
    """staff(role, units="province" | [AdminUnit…], sectors=None) → a fresh user."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from access.models import Jurisdiction
    from layers.models import AdminLevel, AdminUnit

    made = iter(range(1, 1000))

    def build(role: str, *, units="province", sectors=None):
        user = get_user_model().objects.create_user(f"dash-{role}-{next(made)}", password="x")
        user.groups.add(Group.objects.get(name=role))
        if units == "province":
            units = [AdminUnit.objects.get(level=AdminLevel.PROVINCE, valid_to__isnull=True)]
        if units or sectors:
            jurisdiction = Jurisdiction.objects.create(user=user, sectors=sectors or [])
            jurisdiction.units.set(units)
        return user
    return build


@pytest.fixture
def api_as(staff):
    """api_as(role, **staff options) → an APIClient signed in as a fresh user of the role."""
    def build(role: str, **options) -> APIClient:
        client = APIClient()
        client.force_authenticate(staff(role, **options))
        return client
    return build
