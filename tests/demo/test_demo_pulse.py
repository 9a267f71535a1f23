"""The demo's heartbeat (`manage.py demo_pulse`): each beat is a real citizen report (routed,
on the map, with its events) and, when the demo operator exists, one open incident moved one
step by that operator through the status machine."""
import pytest
from django.core.management import call_command

from demo import accounts
from demo.incidents import demo_incidents_seed
from incidents.models import Incident, IncidentEvent
from layers.models import Feature

pytestmark = pytest.mark.django_db


def test_a_beat_is_a_new_report_and_one_step_of_handling(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(accounts, "PASSWORD_FILE", tmp_path / "demo-accounts")
    accounts.demo_accounts_ensure()
    demo_incidents_seed(count=20)
    steps_before = IncidentEvent.objects.filter(kind="transition").count()
    call_command("demo_pulse", beats=1, seed=1)
    out = capsys.readouterr().out
    created = Incident.objects.latest("created_at", "id")
    assert created.public_id in out and created.channel == "citizen_web"
    assert "(Dữ liệu mô phỏng" in created.description
    assert Feature.objects.filter(layer__slug="incidents", external_id=created.public_id).exists()
    moved = IncidentEvent.objects.filter(kind="transition").order_by("-id").first()
    assert IncidentEvent.objects.filter(kind="transition").count() == steps_before + 1
    assert moved.actor.username == "dieuhanh" and f"→ {moved.to_status}" in out


def test_without_the_demo_operator_a_beat_only_reports():
    call_command("demo_pulse", beats=1)
    assert Incident.objects.count() == 1
    assert not IncidentEvent.objects.filter(kind="transition").exists()


def test_a_beat_interval_under_a_second_is_refused():
    with pytest.raises(SystemExit):
        call_command("demo_pulse", every=0.1, beats=1)
