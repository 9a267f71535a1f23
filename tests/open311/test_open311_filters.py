"""GET requests filters: ids, service_code, dates, status; what browsing lists and what only a
tracking id finds."""
from datetime import timedelta

import pytest
from django.utils import timezone

from access.principal import Principal
from incidents.models import Channel, Incident
from incidents.services import incident_transition
from incidents.transitions import Status
from tests.open311.conftest import TP_THANH_HOA, report
from tests.open311.open311_checks import BASE, json_body, validate

pytestmark = pytest.mark.django_db
STAFF = Principal(user_id=None, perms=frozenset({
    "incidents.view_incident", "incidents.verify_incident", "incidents.assign_incident",
    "incidents.handle_incident", "incidents.add_incident"}), province_wide=True)


def _ids(client, query: str = "") -> list[str]:
    data = json_body(client.get(f"{BASE}/requests.json{query}"))
    validate("requests.json", data)
    return [r["service_request_id"] for r in data]


def _age(incident: Incident, days: float) -> None:
    Incident.objects.filter(pk=incident.pk).update(
        created_at=timezone.now() - timedelta(days=days))


def test_newest_first_and_by_service_code(client):
    pothole = report()
    flood = report(category="ngap-ung", lon_lat=TP_THANH_HOA)
    assert _ids(client)[:2] == [flood.public_id, pothole.public_id]
    assert _ids(client, "?service_code=ngap-ung") == [flood.public_id]
    assert set(_ids(client, "?service_code=ngap-ung,hu-hong-mat-duong")) == {
        flood.public_id, pothole.public_id}


def test_by_ids_overrides_other_filters(client):
    first, second = report(), report(category="ngap-ung")
    ids = f"{first.public_id},{second.public_id.lower()}, PA-00000000"
    assert set(_ids(client, f"?service_request_id={ids}&service_code=khac&status=closed")) == {
        first.public_id, second.public_id}


def test_status_open_and_closed(client):
    still_open, handled = report(), report()
    for to in (Status.VERIFIED, Status.ASSIGNED, Status.IN_PROGRESS, Status.RESOLVED):
        incident_transition(principal=STAFF, public_id=handled.public_id, to_status=to,
                            note="Đã vá ổ gà" if to == Status.RESOLVED else "")
    assert still_open.public_id in _ids(client, "?status=open")
    assert handled.public_id not in _ids(client, "?status=open")
    assert _ids(client, "?status=closed") == [handled.public_id]
    assert set(_ids(client, "?status=open,closed")) >= {still_open.public_id, handled.public_id}
    shown = json_body(client.get(f"{BASE}/requests/{handled.public_id}.json"))[0]
    assert shown["status"] == "closed"
    assert shown["status_notes"] == "Đã xử lý xong — Đã vá ổ gà"


def test_date_window(client):
    old, recent = report(), report()
    _age(old, 40)
    _age(recent, 2)
    today = timezone.localdate()
    assert _ids(client, f"?start_date={today - timedelta(days=10)}") == [recent.public_id]
    assert old.public_id in _ids(client, f"?end_date={today - timedelta(days=30)}")
    assert recent.public_id not in _ids(client, f"?end_date={today - timedelta(days=30)}")
    start = (timezone.now() - timedelta(days=41)).isoformat()
    end = (timezone.now() - timedelta(days=39)).isoformat()
    from urllib.parse import urlencode

    assert _ids(client, "?" + urlencode({"start_date": start, "end_date": end})) == [
        old.public_id]
    _age(old, 100)  # beyond the default 90-day window
    assert old.public_id not in _ids(client)


def test_hidden_and_staff_channel_incidents_are_not_browsable(client):
    rejected, duplicate = report(), report()
    incident_transition(principal=STAFF, public_id=rejected.public_id, to_status=Status.REJECTED,
                        note="Phản ánh không đúng sự thật")
    incident_transition(principal=STAFF, public_id=duplicate.public_id,
                        to_status=Status.DUPLICATE)
    hotline = report(channel=Channel.HOTLINE, principal=STAFF)
    listed = _ids(client) + _ids(client, "?status=closed")
    assert not {rejected.public_id, duplicate.public_id, hotline.public_id} & set(listed)
    # A tracking id still finds them (the tracking page's rule): closed, with the reason.
    shown = json_body(client.get(f"{BASE}/requests/{rejected.public_id}.json"))[0]
    assert shown["status"] == "closed"
    assert shown["status_notes"] == "Từ chối — Phản ánh không đúng sự thật"
    assert _ids(client, f"?service_request_id={hotline.public_id}") == [hotline.public_id]


def test_internal_notes_never_become_status_notes(client):
    incident = report()
    incident_transition(principal=STAFF, public_id=incident.public_id, to_status=Status.VERIFIED,
                        note="Ghi chú nội bộ: người báo là cán bộ phường", is_public=False)
    shown = json_body(client.get(f"{BASE}/requests/{incident.public_id}.json"))[0]
    assert shown["status_notes"] == "Đã xác minh"
    assert "nội bộ" not in str(client.get(f"{BASE}/requests.xml").content.decode())


def test_list_is_capped(client, settings):
    for _ in range(3):
        report()
    settings.IOC_OPEN311_MAX_REQUESTS = 2
    assert len(_ids(client)) == 2


def test_the_list_costs_the_same_queries_for_any_length(client, django_assert_max_num_queries):
    for _ in range(5):
        report()
    # categories allow-list, incidents + categories, public events, photos
    with django_assert_max_num_queries(4):
        assert len(_ids(client, "?service_code=hu-hong-mat-duong")) == 5
