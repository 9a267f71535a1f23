"""Fixtures of the KPI tests: the reference generations, users of a role bound to a unit (or
the province), API clients signed in as them, and a KPI of the seeded catalogue by code."""
import pytest

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
def user_as(user_of_role):
    """user_as(role, units=[AdminUnit…] | "province", sectors=None) → a fresh staff user."""
    return user_of_role


@pytest.fixture
def api_as(api_of_role):
    """api_as(role, **user_as options) → an APIClient signed in as a fresh user of the role
    ("anonymous": not signed in)."""
    return api_of_role


@pytest.fixture
def principal_of_role(user_as):
    """principal_of_role(role, **user_as options) → the access Principal of a fresh user."""
    from access.principal import principal_for_user, principals_forget

    def build(role: str, **options):
        principals_forget()
        return principal_for_user(user_as(role, **options))
    return build
