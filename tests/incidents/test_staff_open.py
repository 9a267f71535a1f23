"""Operators open incidents on a caller's behalf (hotline) or promote events (sensor alert,
press item, partner IOC report) into incidents, keeping the origin — inside their own ground."""
import pytest
from django.db import IntegrityError, transaction

from access.principal import Principal
from incidents.errors import InvalidChannel
from incidents.models import Incident, IncidentEvent
from incidents.services import ReportInput, incident_open_for
from tests.incidents.conftest import CITY, PHONE, SAM_SON, commune_at

pytestmark = pytest.mark.django_db
CALLER = "Lê Thị Gọi"


def _body(lon_lat=SAM_SON, category="an-ninh-trat-tu", **extra) -> dict:
    return {"category": category, "lon": lon_lat[0], "lat": lon_lat[1],
            "title": "Đánh nhau trước chợ", "description": "Người dân gọi đường dây nóng",
            **extra}


def _hotline(**extra) -> dict:
    return _body(channel="hotline", reporter_name=CALLER, reporter_phone=PHONE, **extra)


def _sensor(ref="aqi-2026-0042", **extra) -> dict:
    return _body(category="khac", channel="sensor", origin_system="cam-bien-aqi",
                 origin_ref=ref, origin_url="https://aqi.example.vn/canh-bao/0042",
                 origin="Trạm quan trắc Sầm Sơn: PM2.5 vượt ngưỡng", **extra)


@pytest.fixture
def operator(staff):
    """A security operator bound to the Sầm Sơn commune."""
    return staff("sector_operator", units=[commune_at(SAM_SON).code], sectors=["SECURITY"])


def test_an_operator_opens_an_incident_for_a_hotline_caller(operator, api_client):
    response = operator.post("/api/incidents/", _hotline(), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["channel"] == "hotline" and data["status"] == "new"
    assert data["commune_code"] == commune_at(SAM_SON).code
    assert "allowed_transitions" in data  # the staff view of what they opened
    incident = Incident.objects.get(public_id=data["id"])
    assert incident.created_by_id == operator.user.pk and incident.reporter_phone == PHONE
    event = incident.events.get()
    assert (event.kind, event.actor_id, event.note) == (
        IncidentEvent.Kind.SUBMITTED, operator.user.pk, "Kênh: Đường dây nóng")
    detail = operator.get(f"/api/incidents/{data['id']}/").json()
    assert detail["reporter"]["name"] == CALLER  # staff with the right see the caller
    public = api_client.get(f"/api/reports/{data['id']}/").content.decode()
    assert CALLER not in public and PHONE not in public


def test_an_event_is_promoted_keeping_its_origin_once(staff, api_client):
    admin = staff("administrator")
    response = admin.post("/api/incidents/", _sensor(), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["channel"], data["origin_system"], data["origin_ref"], data["origin_url"]) == (
        "sensor", "cam-bien-aqi", "aqi-2026-0042", "https://aqi.example.vn/canh-bao/0042")
    assert data["origin"].startswith("Trạm quan trắc")
    again = admin.post("/api/incidents/", _sensor(), format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_promoted"
    assert again.json()["error"]["details"] == {"incident": data["id"]}
    assert Incident.objects.filter(origin_ref="aqi-2026-0042").count() == 1
    public = api_client.get(f"/api/reports/{data['id']}/").json()
    assert not {"origin", "origin_system", "origin_ref", "origin_url"} & set(public)


def test_press_items_may_be_named_by_their_link_only(staff):
    response = staff("administrator").post("/api/incidents/", _body(
        category="khac", channel="press", origin_url="https://baothanhhoa.vn/bai-viet-1.htm"),
        format="json")
    assert response.status_code == 201, response.content
    assert response.json()["origin_url"] == "https://baothanhhoa.vn/bai-viet-1.htm"


@pytest.mark.parametrize("body, code", [
    (_body(category="khac", channel="sensor"), "invalid_origin"),           # no source at all
    (_body(category="khac", channel="partner_ioc", origin_ref="SS-1"), "invalid_origin"),
    (_body(channel="hotline", origin_url="javascript:alert(1)"), "invalid"),
    (_body(channel="hotline", origin_system="Có Dấu Cách"), "invalid"),
    (_body(channel="sensor", origin_system="x", origin_ref="r" * 121), "invalid"),
    (_body(origin_system="cam-bien-aqi", origin_ref="1"), "invalid_origin"),  # citizen channel
    (_body(channel="no-such-channel"), "invalid"),
])
def test_promoted_events_must_name_their_source_and_citizens_may_not(staff, body, code):
    response = staff("administrator").post("/api/incidents/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == code
    assert not Incident.objects.exists()


def test_a_bound_operator_may_not_open_incidents_outside_their_units(operator):
    response = operator.post("/api/incidents/", _hotline(lon=CITY[0], lat=CITY[1]),
                             format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "outside_jurisdiction"
    assert "ngoài địa bàn" in response.json()["error"]["message"]
    assert not Incident.objects.exists()


@pytest.mark.parametrize("role, sectors", [("unit_official", None), ("province_leader", None),
                                           ("sector_operator", ["HEALTH"]), ("citizen", None)])
def test_without_the_right_or_outside_ones_sector_it_is_a_403(staff, role, sectors):
    client = staff(role, units=[commune_at(SAM_SON).code] if sectors or role == "unit_official"
                   else (), sectors=sectors)
    response = client.post("/api/incidents/", _hotline(), format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "open_forbidden"
    assert not Incident.objects.exists()


def test_anonymous_callers_use_the_citizen_channels_only(api_client):
    response = api_client.post("/api/incidents/", _sensor(), format="json")
    assert response.status_code == 403 and not Incident.objects.exists()


def test_field_staff_open_from_the_field_in_their_commune(staff):
    field = staff("field_staff", units=[commune_at(SAM_SON).code], sectors=["SECURITY"])
    response = field.post("/api/incidents/", _body(channel="field_staff"), format="json")
    assert response.status_code == 201 and response.json()["channel"] == "field_staff"


def test_the_service_refuses_public_channels():
    with pytest.raises(InvalidChannel):
        incident_open_for(principal=Principal(perms=frozenset({"incidents.add_incident"}),
                                              province_wide=True),
                          report=ReportInput(category="khac", lon=SAM_SON[0], lat=SAM_SON[1],
                                             title="x", description="y"))


def test_the_database_keeps_origins_whole(staff):
    data = staff("administrator").post("/api/incidents/", _sensor(), format="json").json()
    incident = Incident.objects.get(public_id=data["id"])
    broken = [{"origin_ref": "aqi-2026-0042"},                            # promoted twice
              {"origin_system": "", "origin_ref": "", "origin_url": ""},   # no source
              {"channel": "citizen_web", "origin_ref": "other"},           # citizen with origin
              {"origin_system": "", "origin_ref": "other"}]                # ref without system
    for i, fields in enumerate(broken):
        copy = Incident(**{f.attname: getattr(incident, f.attname)
                           for f in Incident._meta.concrete_fields if not f.primary_key})
        copy.public_id = f"PA-TEST000{i}"
        copy.origin_ref = "distinct-" + str(i)
        for name, value in fields.items():
            setattr(copy, name, value)
        with pytest.raises(IntegrityError), transaction.atomic():
            copy.save()
