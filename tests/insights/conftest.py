"""Fixtures of the insights tests: KPI values written as an import would write them, users of
a role bound to a unit (or the province), and API clients signed in as them."""
from datetime import date

import pytest
from django.utils import timezone
from rest_framework.test import APIClient


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
def record(db):
    """record(kpi, unit_id, {period start: value}) → the values, upserted under one run."""
    from kpi.models import KpiRun
    from kpi.services import ValueRow, values_upsert

    def write(kpi, unit_id: int, values: dict[date, float]) -> None:
        run = KpiRun.objects.create(kind="IMPORT", started_at=timezone.now(), file_name="t.csv")
        values_upsert(rows=[ValueRow(kpi.id, unit_id, kpi.periodicity, start, float(v))
                            for start, v in values.items()], run=run, source="IMPORT")
    return write


def months(first: date, count: int) -> list[date]:
    """`count` month starts from `first` on."""
    from kpi import periods

    return [periods.shift(first, periods.MONTH, i) for i in range(count)]


@pytest.fixture
def user_as(db):
    """user_as(role, units=[AdminUnit…] | "province", sectors=None) → a fresh staff user."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from access.models import Jurisdiction
    from layers.models import AdminLevel, AdminUnit

    made = iter(range(1, 1000))

    def build(role: str, *, units=(), sectors=None):
        user = get_user_model().objects.create_user(f"ins-{role}-{next(made)}", password="x",
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
