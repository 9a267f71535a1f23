"""Overdue incidents move up to the parent level exactly once, on a schedule: the service, the
management command and the Celery task (run in place here; by a real worker in
test_escalation_worker.py)."""
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from incidents.models import Incident, IncidentEvent
from incidents.services import incidents_escalate_overdue
from layers.models import Feature
from tests.incidents.conftest import CITY, SAM_SON, commune_at

pytestmark = pytest.mark.django_db
LATE = timedelta(minutes=5)


@pytest.fixture
def incidents(report):
    """Incidents by name: overdue at a commune (two), due later, overdue but finished (resolved,
    closed, rejected), overdue at the province already."""
    made = {"late": report(), "late_city": report(lon_lat=CITY), "on_time": report(),
            "resolved": report(), "closed": report(), "rejected": report(),
            "late_province": report(category="chay-no")}
    now = timezone.now()
    for name, public_id in made.items():
        due = now + timedelta(hours=1) if name == "on_time" else now - LATE
        status = name if name in ("resolved", "closed", "rejected") else "new"
        Incident.objects.filter(public_id=public_id).update(due_at=due, status=status)
    return made


def _state(public_id: str) -> tuple:
    incident = Incident.objects.get(public_id=public_id)
    escalations = incident.events.filter(kind=IncidentEvent.Kind.ESCALATED).count()
    return incident.assigned_unit_code, incident.escalation_level, escalations


def test_overdue_open_incidents_move_up_once_and_nothing_else_moves(incidents):
    before = {name: _state(pid) for name, pid in incidents.items()}
    assert before["late"] == (commune_at(SAM_SON).code, 0, 0)
    assert incidents_escalate_overdue() == 3
    after = {name: _state(pid) for name, pid in incidents.items()}
    assert after["late"] == ("38", 1, 1) and after["late_city"] == ("38", 1, 1)
    assert after["late_province"] == ("38", 1, 1)  # nowhere higher: flagged, stays put
    for name in ("on_time", "resolved", "closed", "rejected"):
        assert after[name] == before[name], name
    assert incidents_escalate_overdue() == 0  # exactly once
    assert {name: _state(pid) for name, pid in incidents.items()} == after
    event = Incident.objects.get(public_id=incidents["late"]).events.get(kind="escalated")
    assert event.is_public is False and "chuyển lên 38" in event.note
    overdue = Feature.objects.get(layer__slug="incidents", external_id=incidents["late"])
    assert overdue.properties["overdue"] is True


def test_the_command_prints_a_summary_line(incidents, capsys):
    call_command("incidents_escalate")
    assert "Đã chuyển 3 sự cố quá hạn lên cấp trên." in capsys.readouterr().out
    call_command("incidents_escalate")
    assert "Đã chuyển 0 sự cố" in capsys.readouterr().out


def test_the_command_follows_until_interrupted(incidents, capsys, monkeypatch):
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr("incidents.management.commands.incidents_escalate.time.sleep", sleep)
    call_command("incidents_escalate", "--follow", "--interval", "7")
    out = capsys.readouterr().out
    assert sleeps == [7.0, 7.0]
    assert out.count("Đã chuyển 3 sự cố") == 1 and "Đã chuyển 0" not in out  # quiet when idle
    assert "Dừng sau 2 lần kiểm tra; đã chuyển 3 sự cố." in out


def test_the_celery_task_calls_the_service_and_beat_runs_it_every_minute(incidents):
    from ioc_gis.celery import app
    from incidents.tasks import escalate_overdue

    assert escalate_overdue.apply().get() == 3
    assert _state(incidents["late"]) == ("38", 1, 1)
    schedule = app.conf.beat_schedule["incidents-escalate-overdue"]
    assert schedule["task"] == escalate_overdue.name == "incidents.escalate_overdue"
    assert schedule["schedule"] == 60.0
    assert escalate_overdue.name in app.tasks
