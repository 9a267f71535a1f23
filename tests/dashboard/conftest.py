"""Fixtures of the dashboard's tests: committed demo KPIs for the module, and API clients of
staff of a role, province-wide or bound to a unit."""
import pytest

from tests.dashboard.dashboard_seed import committed_kpis


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo KPIs, committed for the module's tests."""
    with committed_kpis(django_db_blocker) as report:
        yield report


@pytest.fixture
def staff(user_of_role):
    """staff(role, units="province" | [AdminUnit…], sectors=None) → a fresh user."""
    return lambda role, *, units="province", sectors=None: user_of_role(role, units=units,
                                                                         sectors=sectors)


@pytest.fixture
def api_as(staff, api_of):
    """api_as(role, **staff options) → an APIClient signed in as a fresh user of the role."""
    return lambda role, **options: api_of(staff(role, **options))
