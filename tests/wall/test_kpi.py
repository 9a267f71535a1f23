"""The KPI strip equals a count by hand of the same incidents, within the caller's scope, and
stays a few index-friendly queries."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents.models import Incident
from layers.models import Sector
from tests.wall.conftest import ago

pytestmark = pytest.mark.django_db

OPEN = {"new", "verified", "assigned", "in_progress"}


@pytest.fixture
def mixed(incident_at):
    """Incidents inside and outside the test commune, of two sectors, in every KPI state."""
    soon, late = timedelta(hours=5), timedelta(hours=-5)
    made = []
    for where in ("in", "out"):
        for category in ("khac", "an-ninh-trat-tu"):
            made += [
                incident_at(where, category=category),  # new now, due later
                incident_at(where, category=category, status="verified",
                            created_at=ago(days=3), due_at=ago(days=1)),  # open, overdue
                incident_at(where, category=category, status="in_progress",
                            created_at=ago(hours=30), due_at=timezone.now() + soon),
                incident_at(where, category=category, status="resolved",
                            created_at=ago(days=5), due_at=ago(days=2),
                            resolved_at=ago(days=3)),  # resolved on time
                incident_at(where, category=category, status="closed",
                            created_at=ago(days=6), due_at=ago(days=4),
                            resolved_at=ago(days=4) - late),  # resolved late
                incident_at(where, category=category, status="closed",
                            created_at=ago(days=60), due_at=ago(days=58),
                            resolved_at=ago(days=59)),  # on time, but before the 30 days
                incident_at(where, category=category, status="rejected",
                            created_at=ago(hours=2)),  # new in 24 h, never open
            ]
    return made


def by_hand(incidents: list[Incident]) -> dict:
    now = timezone.now()
    is_open = [i for i in incidents if i.status in OPEN]
    resolved = [i for i in incidents if i.status in ("resolved", "closed")
                and i.resolved_at and i.resolved_at >= now - timedelta(days=30)]
    on_time = [i for i in resolved if i.resolved_at <= i.due_at]
    return {"open": len(is_open), "overdue": sum(i.due_at < now for i in is_open),
            "new_24h": sum(i.created_at >= now - timedelta(hours=24) for i in incidents),
            "resolved_30d": len(resolved), "resolved_on_time_30d": len(on_time),
            "on_time_pct": round(100 * len(on_time) / len(resolved), 1) if resolved else None}


def figures(client) -> dict:
    answer = client.get("/api/wall/kpi/")
    assert answer.status_code == 200, answer.content[:300]
    body = answer.json()
    assert body.pop("at")
    return body


def test_a_province_wide_wall_counts_every_incident(api_as, mixed):
    expected = by_hand(list(Incident.objects.select_related("category")))
    assert expected["open"] >= 12 and expected["resolved_30d"] >= 8  # the fixture is there
    got = figures(api_as("wall_display", units="province"))
    assert got == expected
    assert got["on_time_pct"] == 50.0


def test_a_bound_wall_counts_only_its_ground_and_sectors(api_as, mixed, communes):
    code = communes["in"].code
    mine = [i for i in Incident.objects.select_related("category")
            if code in (i.commune_code, i.assigned_unit_code)]
    assert figures(api_as("unit_official")) == by_hand(mine)
    police = [i for i in mine if i.category.sector == Sector.SECURITY]
    got = figures(api_as("sector_operator", sectors=[Sector.SECURITY]))
    assert got == by_hand(police) and got["open"] == 3


def test_no_resolved_incident_gives_no_percentage(api_as, communes):
    got = figures(api_as("unit_official"))
    assert got["on_time_pct"] is None and got["resolved_30d"] == 0


def test_the_figures_take_three_queries_none_of_them_over_a_transformed_column(api_as, mixed):
    from access.principal import principal_of  # noqa: F401 (the principal is built first)

    client = api_as("wall_display", units="province")
    client.get("/api/wall/kpi/")  # rights remembered
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/wall/kpi/")
    counted = [q["sql"] for q in queries.captured_queries if "incidents_incident" in q["sql"]]
    assert len(counted) == 3, counted
    for sql in counted:
        assert "ST_" not in sql and "date_trunc" not in sql.lower()
