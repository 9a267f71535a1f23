"""The demo incidents (`load_demo` seeds them after the province): a month of reports in every
stage of handling, routed like real ones, with their history in order and on the map — into an
empty incident table only, the same ones for the same seed."""
from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from demo.incidents import demo_incidents_seed
from incidents.models import Incident, IncidentEvent
from incidents.routing import incident_route
from incidents.transitions import OPEN_STATES
from layers.models import Feature

pytestmark = pytest.mark.django_db


def test_a_month_of_incidents_in_every_stage():
    now = timezone.now()
    assert demo_incidents_seed(now=now) == 240
    incidents = Incident.objects.select_related("category")
    assert incidents.count() == 240
    statuses = dict(incidents.values_list("status").annotate(n=Count("id")).order_by())
    assert set(statuses) >= {"new", "verified", "assigned", "in_progress", "resolved", "closed"}
    assert incidents.filter(status__in=OPEN_STATES, due_at__lt=now).exists()  # some overdue
    ages = [now - i.created_at for i in incidents]
    assert max(ages) > timedelta(days=20) and min(ages) < timedelta(days=1)
    assert len({i.commune_code for i in incidents}) > 30
    for incident in incidents[:40]:
        route = incident_route(point=incident.location, category=incident.category,
                               at=incident.created_at)
        assert (incident.commune_code, incident.assigned_unit_code) == (
            route.commune_code, route.assigned_unit_code)
        assert incident.due_at == incident.created_at + incident.category.sla
        events = list(IncidentEvent.objects.filter(incident=incident).order_by("at", "id"))
        assert events[0].kind == "submitted" and events[0].at == incident.created_at
        assert events[-1].to_status == incident.status
        assert all(a.at <= b.at <= now for a, b in zip(events, events[1:]))
        assert (incident.resolved_at is not None) == (incident.status in {"resolved", "closed"})
    on_map = Feature.objects.filter(layer__slug="incidents")
    assert on_map.count() == 240
    assert set(on_map.values_list("external_id", flat=True)) == set(
        incidents.values_list("public_id", flat=True))


def test_nothing_is_added_to_a_table_that_has_incidents():
    assert demo_incidents_seed(count=10) == 10
    assert demo_incidents_seed(count=10) == 0
    assert Incident.objects.count() == 10


def test_the_same_seed_gives_the_same_month():
    now = timezone.now()
    demo_incidents_seed(count=30, now=now)
    first = list(Incident.objects.order_by("created_at").values_list(
        "category__code", "commune_code", "status", "created_at"))
    Incident.objects.all().delete()
    demo_incidents_seed(count=30, now=now)
    assert list(Incident.objects.order_by("created_at").values_list(
        "category__code", "commune_code", "status", "created_at")) == first
