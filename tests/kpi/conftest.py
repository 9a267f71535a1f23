"""Fixtures of the KPI tests: the reference generations, users of a role bound to a unit (or
the province), API clients signed in as them, and a KPI of the seeded catalogue by code."""
import pytest
from rest_framework.test import APIClient

from tests.access.conftest import INSIDE, OUTSIDE, TODAY  # noqa: F401  (re-exported)


@pytest.fixture
def units(db):
    """kpi.units.reform(): both reference generations and the crosswalk weights."""
    from kpi.units import reform

    return reform()


@pytest.fixture
def kpi(db):
    """kpi("code") → the seeded KPI."""
    from kpi.models import Kpi

    return lambda code: Kpi.objects.select_related("numerator", "denominator").get(code=code)


@pytest.fixture
def user_as(db):
    """user_as(role, units=[AdminUnit…] | "province", sectors=None) → a fresh staff user."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from access.models import Jurisdiction
    from layers.models import AdminLevel, AdminUnit

    made = iter(range(1, 1000))

    def build(role: str, *, units=(), sectors=None):
        user = get_user_model().objects.create_user(f"kpi-{role}-{next(made)}", password="x",
                                                    is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        if units == "province":
            units = [AdminUnit.objects.get(level=AdminLevel.PROVINCE, valid_to__isnull=True)]
        if units or sectors:
            jurisdiction = Jurisdiction.objects.create(user=user, sectors=sectors or [])
            jurisdiction.units.set(units)
        return user
    return build


@pytest.fixture
def api_as(user_as):
    """api_as(role, **user_as options) → an APIClient signed in as a fresh user of the role
    ("anonymous": not signed in)."""
    def build(role: str, **options) -> APIClient:
        client = APIClient()
        if role != "anonymous":
            client.force_authenticate(user_as(role, **options))
        return client
    return build


@pytest.fixture
def principal_of_role(user_as):
    """principal_of_role(role, **user_as options) → the access Principal of a fresh user."""
    from access.principal import principal_for_user, principals_forget

    def build(role: str, **options):
        principals_forget()
        return principal_for_user(user_as(role, **options))
    return build
