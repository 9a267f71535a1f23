"""Fixtures of the insights tests: KPI values written as an import would write them, users of
a role bound to a unit (or the province), and API clients signed in as them."""
from datetime import date

import pytest
from django.utils import timezone

from tests.kpi.conftest import kpi, units  # noqa: F401  (the KPI tests' fixtures)


@pytest.fixture
def record(db):
    """record(kpi, unit_id, {period start: value}) → the values, upserted under one run."""
    from kpi.models import KpiRun
    from kpi.services import ValueRow, values_upsert

    def write(indicator, unit_id: int, values: dict[date, float]) -> None:
        run = KpiRun.objects.create(kind="IMPORT", started_at=timezone.now(), file_name="t.csv")
        values_upsert(rows=[ValueRow(indicator.id, unit_id, indicator.periodicity, start,
                                     float(v))
                            for start, v in values.items()], run=run, source="IMPORT")
    return write


def months(first: date, count: int) -> list[date]:
    """`count` month starts from `first` on."""
    from kpi import periods

    return [periods.shift(first, periods.MONTH, i) for i in range(count)]


@pytest.fixture
def user_as(user_of_role):
    """user_as(role, units=[AdminUnit…] | "province", sectors=None) → a fresh staff user."""
    return user_of_role


@pytest.fixture
def api_as(api_of_role):
    """api_as(role, **user_as options) → an APIClient signed in as a fresh user of the role
    ("anonymous": not signed in)."""
    return api_of_role
