"""Public replies and internal notes: who may write them, where they show, and that citizens
see a unit or agency — never a person, never an internal note, never the reporter."""
import pytest
from django.db import IntegrityError, transaction

from access.principal import ANONYMOUS
from incidents import realtime
from incidents.errors import IncidentNotFound, InvalidComment
from incidents.models import Incident, IncidentComment
from incidents.services import incident_comment_add
from tests.incidents.conftest import CITY, NAME, PHONE, commune_at

pytestmark = pytest.mark.django_db
REPLY = "Công an phường đã cử tổ tuần tra đến hiện trường."
NOTE = "Đối tượng quen mặt, đã từng bị nhắc nhở."


def _comments(public_id: str) -> str:
    return f"/api/incidents/{public_id}/comments/"


def test_a_reply_and_a_note_are_stored_listed_and_only_the_reply_is_public(report, staff,
                                                                           api_client):
    public_id = report()
    admin = staff("administrator")
    reply = admin.post(_comments(public_id), {"text": f"  {REPLY}  ", "public": True},
                       format="json")
    assert reply.status_code == 201, reply.content
    assert reply.json()["text"] == REPLY and reply.json()["is_public"] is True
    assert reply.json()["by_unit"] == "Trung tâm Điều hành thông minh tỉnh Thanh Hóa"
    note = admin.post(_comments(public_id), {"text": NOTE}, format="json")  # default: internal
    assert note.status_code == 201 and note.json()["is_public"] is False

    listed = admin.get(_comments(public_id)).json()
    assert listed["count"] == 2
    assert [(c["text"], c["is_public"]) for c in listed["results"]] == [(REPLY, True),
                                                                        (NOTE, False)]
    assert listed["results"][0]["author"] == admin.user.username  # staff see who wrote it

    tracking = api_client.get(f"/api/reports/{public_id}/")
    assert tracking.status_code == 200
    replies = tracking.json()["replies"]
    assert [set(r) for r in replies] == [{"text", "at", "by_unit"}]
    assert replies[0]["text"] == REPLY
    text = tracking.content.decode()
    for secret in (NOTE, admin.user.username, "Trần", "Cán Bộ", admin.user.email, NAME, PHONE):
        assert secret not in text
    kinds = [(e["kind"], e["is_public"]) for e in tracking.json()["events"]]
    assert kinds == [("submitted", True), ("commented", True)]  # the note's event is internal
    detail = admin.get(f"/api/incidents/{public_id}/").json()
    assert [e["kind"] for e in detail["events"]] == ["submitted", "commented", "commented"]


def test_bound_staff_sign_with_their_unit_and_sector_staff_with_the_agency(report, staff):
    public_id = report()
    commune = commune_at((105.9, 19.74))
    official = staff("unit_official", units=[commune.code])
    signed = official.post(_comments(public_id), {"text": REPLY, "public": True}, format="json")
    assert signed.status_code == 201, signed.content
    assert signed.json()["by_unit"] == commune.name
    police = staff("sector_operator", units=["38"], sectors=["SECURITY"])  # province-wide
    signed = police.post(_comments(public_id), {"text": REPLY, "public": True}, format="json")
    assert signed.status_code == 201 and signed.json()["by_unit"] == "Công an tỉnh"


def test_outside_ones_units_or_sectors_the_incident_does_not_exist(report, staff):
    public_id = report()
    elsewhere = staff("unit_official", units=[commune_at(CITY).code])
    health = staff("sector_operator", units=[commune_at((105.9, 19.74)).code],
                   sectors=["HEALTH"])
    for client in (elsewhere, health):
        for response in (client.get(_comments(public_id)),
                         client.post(_comments(public_id), {"text": REPLY}, format="json")):
            assert response.status_code == 404
            assert response.json()["error"]["code"] == "incident_not_found"
    assert not IncidentComment.objects.exists()


def test_readers_may_list_but_not_write(report, staff, api_client):
    public_id = report()
    leader = staff("province_leader")
    assert leader.get(_comments(public_id)).status_code == 200
    refused = leader.post(_comments(public_id), {"text": REPLY, "public": True}, format="json")
    assert refused.status_code == 403
    assert refused.json()["error"] == {"status": 403, "code": "comment_forbidden",
                                       "message": "Không có quyền trả lời hoặc ghi chú sự cố."}
    for response in (api_client.get(_comments(public_id)),
                     api_client.post(_comments(public_id), {"text": REPLY}, format="json")):
        assert response.status_code == 404  # anonymous: no incident is visible
    assert not IncidentComment.objects.exists()


@pytest.mark.parametrize("body", [{"text": ""}, {"text": "   \n\t "}, {"public": True},
                                  {"text": "x" * 2001}, {"text": ["a"]}])
def test_blank_missing_or_overlong_text_is_a_400(report, staff, body):
    public_id = report()
    response = staff("administrator").post(_comments(public_id), body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid" and "text" in response.json()[
        "error"]["details"]
    assert not IncidentComment.objects.exists()


def test_the_service_checks_text_and_reach_itself(report):
    public_id = report()
    with pytest.raises(InvalidComment):
        incident_comment_add(principal=ANONYMOUS, public_id=public_id, text=" ", is_public=True)
    with pytest.raises(IncidentNotFound):
        incident_comment_add(principal=ANONYMOUS, public_id=public_id, text=REPLY,
                             is_public=False)


def test_finished_incidents_take_internal_notes_only(report, staff):
    public_id = report()
    Incident.objects.filter(public_id=public_id).update(status="closed")
    admin = staff("administrator")
    refused = admin.post(_comments(public_id), {"text": REPLY, "public": True}, format="json")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "replies_closed"
    assert admin.post(_comments(public_id), {"text": NOTE}, format="json").status_code == 201
    Incident.objects.filter(public_id=public_id).update(status="resolved")  # may reopen
    assert admin.post(_comments(public_id), {"text": REPLY, "public": True},
                      format="json").status_code == 201


def test_a_comment_is_published_once_committed(report, staff,
                                               django_capture_on_commit_callbacks):
    public_id = report()
    seen = []
    unsubscribe = realtime.subscribe(seen.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            staff("administrator").post(_comments(public_id), {"text": NOTE}, format="json")
    finally:
        unsubscribe()
    assert [(e["type"], e["id"]) for e in seen] == [("incident.commented", public_id)]
    assert NOTE not in str(seen)


def test_the_database_refuses_blank_unsigned_or_overlong_comments(report):
    incident = Incident.objects.get(public_id=report())
    for fields in ({"body": " \n "}, {"body": "x" * 2001},
                   {"body": REPLY, "is_public": True, "author_unit": ""}):
        with pytest.raises(IntegrityError), transaction.atomic():
            IncidentComment.objects.create(incident=incident, **fields)
