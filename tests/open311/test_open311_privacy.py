"""Personal data never leaves through Open311: not the reporter's name, phone or e-mail, not
the device or account id an app sent, not internal notes or replies — in any answer, JSON or
XML. They are stored, privately, for staff with the right."""
import pytest

from access.principal import Principal
from incidents.models import Incident, IncidentComment
from incidents.services import incident_transition
from incidents.transitions import Status
from open311.models import Submission
from tests.open311.conftest import REPORTER, SAM_SON, post, report
from tests.open311.open311_checks import BASE

pytestmark = pytest.mark.django_db
STAFF = Principal(perms=frozenset({"incidents.view_incident", "incidents.verify_incident"}),
                  province_wide=True)
POSTED = {"first_name": "Thị Lan", "last_name": "Trần", "email": "tranlan@example.vn",
          "phone": "+84 987 654 321", "device_id": "thiet-bi-7f3a", "account_id": "tk-55291"}
SECRETS = [*REPORTER.values(), *POSTED.values(), "Trần Thị Lan", "Ghi chú nội bộ",
           "Trả lời nội bộ"]


def _every_public_answer(client, ids: list[str]) -> list[bytes]:
    paths = ["services.json", "services.xml", "services/ngap-ung.json", "discovery.xml",
             "requests.json", "requests.xml", "requests.json?status=open",
             f"requests.json?service_request_id={','.join(ids)}",
             f"requests.xml?service_request_id={','.join(ids)}"]
    for public_id in ids:
        paths += [f"requests/{public_id}.json", f"requests/{public_id}.xml",
                  f"tokens/{public_id}.json", f"tokens/{public_id}.xml"]
    answers = []
    for path in paths:
        response = client.get(f"{BASE}/{path}")
        assert response.status_code == 200, path
        answers.append(response.content)
    return answers


def test_no_personal_data_in_any_answer(client, api_key):
    citizen = report()
    incident_transition(principal=STAFF, public_id=citizen.public_id, to_status=Status.VERIFIED,
                        note="Ghi chú nội bộ về người báo", is_public=False)
    IncidentComment.objects.create(incident=citizen, body="Trả lời nội bộ", is_public=False)
    created = post(client, api_key=api_key, service_code="ngap-ung", lat=SAM_SON[1],
                   long=SAM_SON[0], description="Ngập sau mưa", **POSTED)
    assert created.status_code == 200
    answers = [created.content, *_every_public_answer(
        client, [citizen.public_id, created.json()[0]["service_request_id"]])]
    for answer in answers:
        text = answer.decode()
        for secret in SECRETS:
            assert secret not in text, secret


def test_contact_and_app_ids_are_stored_privately(client, api_key):
    response = post(client, api_key=api_key, service_code="ngap-ung", lat=SAM_SON[1],
                    long=SAM_SON[0], **POSTED)
    incident = Incident.objects.get(public_id=response.json()[0]["service_request_id"])
    assert incident.channel == "open311"
    assert (incident.reporter_name, incident.reporter_email, incident.reporter_phone) == (
        "Trần Thị Lan", "tranlan@example.vn", "+84 987 654 321")
    submission = Submission.objects.get(incident=incident)
    assert (submission.device_id, submission.account_id) == ("thiet-bi-7f3a", "tk-55291")
    assert submission.api_token.prefix == api_key.split(".")[0]
    assert incident.title == "Ngập úng"  # no description: the service's name


def test_reports_to_the_police_are_tracked_by_id_but_never_listed(client):
    road = report().public_id
    security = report(category="an-ninh-trat-tu", title="Tụ tập gây rối").public_id
    listed = {r["service_request_id"] for r in client.get(f"{BASE}/requests.json").json()}
    assert road in listed and security not in listed
    tracked = client.get(f"{BASE}/requests/{security}.json")
    assert tracked.status_code == 200 and tracked.json()[0]["service_request_id"] == security
