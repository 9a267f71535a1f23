"""What the operator console (/ops/) asks of the incidents API, on the real PostGIS: the staff
list's filters (sector, unit, time, overdue, text, codes) inside the caller's scope, bad
filters as 400s in our error format, the detail's history with actors, photos and SLA, and
assignment only to a unit in force."""
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from incidents.models import Incident
from incidents.services import incident_photo_add
from layers.models import AdminLevel, AdminUnit
from tests.incidents.conftest import CITY, PHONE, SAM_SON, commune_at

pytestmark = pytest.mark.django_db
LIST = "/api/incidents/"


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def _province() -> str:
    return AdminUnit.objects.get(level=AdminLevel.PROVINCE, valid_to__isnull=True).code


def _assert_unknown_unit(response) -> None:
    """Checked by the service (any caller of incident_transition), not only by this API."""
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "unknown_unit" and "assigned_unit" in error["details"], error


def _assert_bad(response, field: str) -> None:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["status"] == 400 and error["code"] == "invalid"
    assert field in error["details"], error


@pytest.fixture
def three(report):
    """A security report and a road report in Sầm Sơn, a security one in Thanh Hóa city."""
    return {"security_sam_son": report(SAM_SON, title="Tụ tập gây rối ở bãi biển"),
            "road_sam_son": report(SAM_SON, category="hu-hong-mat-duong",
                                   title="Ổ gà lớn trước số 12", address="Đường Hồ Xuân Hương"),
            "security_city": report(CITY, title="Trộm xe máy")}


def test_sector_unit_and_code_filters_narrow_the_list(three, staff):
    admin = staff("administrator")
    assert set(_ids(admin.get(LIST))) >= set(three.values())
    assert _ids(admin.get(LIST, {"sector": "TRAFFIC"})) == [three["road_sam_son"]]
    sam_son = commune_at(SAM_SON).code
    assert set(_ids(admin.get(LIST, {"unit": sam_son}))) == {three["security_sam_son"],
                                                             three["road_sam_son"]}
    # A unit holds its communes: the province holds all three.
    assert set(_ids(admin.get(LIST, {"unit": _province()}))) >= set(three.values())
    both = admin.get(LIST, {"unit": sam_son, "sector": "SECURITY", "status": "new,verified"})
    assert _ids(both) == [three["security_sam_son"]]
    assert _ids(admin.get(LIST, {"category": "hu-hong-mat-duong", "unit": sam_son})) == [
        three["road_sam_son"]]
    # Newest first; blank filters are no filters.
    assert _ids(admin.get(LIST, {"sector": "", "q": " "}))[:3] == [
        three["security_city"], three["road_sam_son"], three["security_sam_son"]]


def test_a_unit_filter_also_finds_what_is_assigned_to_that_unit(three, staff):
    admin = staff("administrator")
    city = commune_at(CITY).code
    moved = three["security_sam_son"]
    for step in ({"to": "verified"}, {"to": "assigned", "assigned_unit": city}):
        assert admin.post(f"/api/incidents/{moved}/transition/", step,
                          format="json").status_code == 200
    assert set(_ids(admin.get(LIST, {"unit": city}))) == {three["security_city"], moved}


def test_filters_stay_inside_the_callers_scope(three, staff):
    traffic = staff("sector_operator", units=[commune_at(SAM_SON).code], sectors=["TRAFFIC"])
    assert _ids(traffic.get(LIST)) == [three["road_sam_son"]]
    assert _ids(traffic.get(LIST, {"sector": "SECURITY"})) == []
    assert _ids(traffic.get(LIST, {"unit": commune_at(CITY).code})) == []
    assert _ids(traffic.get(LIST, {"q": three["security_city"]})) == []


def test_time_and_overdue_filters(three, staff):
    admin = staff("administrator")
    late = three["security_city"]
    Incident.objects.filter(public_id=late).update(
        created_at=timezone.now() - timedelta(days=3), due_at=timezone.now() - timedelta(days=2))
    today = timezone.localdate().isoformat()
    recent = set(_ids(admin.get(LIST, {"since": today})))
    assert late not in recent and three["road_sam_son"] in recent
    assert late in _ids(admin.get(LIST, {"until": today}))
    two_days = (timezone.localtime() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S")
    assert late not in _ids(admin.get(LIST, {"since": two_days}))  # naive: Vietnam time
    assert late in _ids(admin.get(LIST, {"since": "2000-01-01T00:00:00+07:00"}))
    assert _ids(admin.get(LIST, {"overdue": "true", "unit": commune_at(CITY).code})) == [late]
    assert late not in _ids(admin.get(LIST, {"overdue": "false"}))
    row = next(r for r in admin.get(LIST, {"q": late}).json()["results"])
    assert row["is_overdue"] is True


def test_text_search_ignores_case_and_diacritics_and_finds_tracking_ids(three, staff):
    admin = staff("administrator")
    assert _ids(admin.get(LIST, {"q": "o ga lon"})) == [three["road_sam_son"]]
    assert _ids(admin.get(LIST, {"q": "TRỘM XE"})) == [three["security_city"]]
    assert _ids(admin.get(LIST, {"q": "ho xuan huong"})) == [three["road_sam_son"]]  # address
    assert _ids(admin.get(LIST, {"q": three["security_city"].lower()})) == [
        three["security_city"]]
    assert _ids(admin.get(LIST, {"q": "50%_"})) == []  # LIKE wildcards are plain text


@pytest.mark.parametrize(("query", "field"), [
    ({"status": "new,bogus"}, "status"), ({"category": "khong-co"}, "category"),
    ({"sector": "SPACE"}, "sector"), ({"unit": "abc"}, "unit"), ({"unit": "99999"}, "unit"),
    ({"since": "2025-13-40"}, "since"), ({"until": "hôm qua"}, "until"),
    ({"since": "2026-01-02", "until": "2026-01-01"}, "until"), ({"overdue": "maybe"}, "overdue"),
    ({"q": "x" * 101}, "q"),
])
def test_bad_filters_are_400s_in_our_format(staff, query, field):
    _assert_bad(staff("administrator").get(LIST, query), field)


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(out, format="JPEG")
    return out.getvalue()


def test_the_detail_has_history_with_actors_photos_and_the_sla(report, staff, settings,
                                                                tmp_path):
    settings.MEDIA_ROOT = tmp_path
    public_id = report(SAM_SON)
    incident_photo_add(public_id=public_id, data=_jpeg())
    admin = staff("administrator")
    admin.post(f"/api/incidents/{public_id}/transition/", {"to": "verified", "note": "Đúng"},
               format="json")
    detail = admin.get(f"/api/incidents/{public_id}/").json()
    assert [(e["kind"], e["actor"]) for e in detail["events"]] == [
        ("submitted", None), ("transition", "Trần Cán Bộ")]
    assert detail["sla_hours"] == 4
    assert detail["allowed_transitions"] == ["assigned", "rejected", "duplicate"]
    assert detail["reporter"]["phone"] == PHONE
    assert detail["photos"] == [{"number": 1, "width": 64, "height": 48,
                                 "url": f"/api/reports/{public_id}/photos/1/"}]
    photo = admin.get(detail["photos"][0]["url"])
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    # Staff without the private-data right get no contact; the public view never has actors.
    field = staff("field_staff", units=[commune_at(SAM_SON).code])
    assert "reporter" not in field.get(f"/api/incidents/{public_id}/").json()
    tracking = admin.get(f"/api/reports/{public_id}/").json()
    assert all("actor" not in e for e in tracking["events"])
    assert "photos" not in tracking and PHONE not in str(tracking)


def test_assignment_goes_to_a_unit_in_force_only(report, staff):
    public_id = report(SAM_SON)
    admin = staff("administrator")
    url = f"/api/incidents/{public_id}/transition/"
    assert admin.post(url, {"to": "verified"}, format="json").status_code == 200
    _assert_unknown_unit(admin.post(url, {"to": "assigned", "assigned_unit": "99999"},
                                    format="json"))
    former = AdminUnit.objects.filter(valid_to__isnull=False).values_list("code", flat=True)
    gone = next((c for c in former if not AdminUnit.objects.filter(
        code=c, valid_to__isnull=True).exists()), None)
    if gone:  # a unit merged away by the 2025 reform
        _assert_unknown_unit(admin.post(url, {"to": "assigned", "assigned_unit": gone},
                                        format="json"))
    assert Incident.objects.get(public_id=public_id).status == "verified"
    city = commune_at(CITY).code
    answer = admin.post(url, {"to": "assigned", "assigned_unit": city}, format="json")
    assert answer.status_code == 200 and answer.json()["assigned_unit_code"] == city


def test_the_service_itself_refuses_a_unit_not_in_force(report):
    """Not only the API: any caller of incident_transition (commands, tasks) is checked."""
    from access.principal import principal_for_user
    from django.contrib.auth import get_user_model

    from incidents.errors import UnknownHandlingUnit
    from incidents.services import incident_transition

    public_id = report(SAM_SON)
    admin = principal_for_user(get_user_model().objects.create_superuser("qt-svc", "", "x"))
    incident_transition(principal=admin, public_id=public_id, to_status="verified", note="")
    with pytest.raises(UnknownHandlingUnit):
        incident_transition(principal=admin, public_id=public_id, to_status="assigned",
                            assigned_unit_code="99999")
    assert Incident.objects.get(public_id=public_id).status == "verified"


def test_a_blank_note_is_no_note(report, staff):
    public_id = report(SAM_SON)
    answer = staff("administrator").post(f"/api/incidents/{public_id}/transition/",
                                         {"to": "verified", "note": ""}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "verified"
