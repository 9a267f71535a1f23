"""GET /api/drill/units/{code}/incidents/: a unit's incidents by status and category, overdue
and newest, in either generation, only as far as the caller may read them, under the same
window as the unit's layer figures; bad input is a 400 in the API's error format."""
from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.gis.geos import Point
from django.utils import timezone

from access.models import Jurisdiction
from access.principal import ANONYMOUS
from incidents.models import Incident
from incidents.services import ReportInput, incident_submit
from layers import selectors
from layers.models import AdminLevel
from layers.stats import PRE_REFORM_REFERENCE_DATE

pytestmark = pytest.mark.django_db

SAM_SON = (105.9004, 19.7406)
THANH_HOA_CITY = (105.776, 19.807)


def _signed_in(client, django_user_model, role: str, units=()):
    user = django_user_model.objects.create_user(f"u-{role}", password="x")
    user.groups.add(Group.objects.get(name=role))
    if units:
        Jurisdiction.objects.create(user=user).units.set(
            [selectors.unit_get(code=code, day=timezone.localdate()) for code in units])
    client.force_login(user)
    return user


def _report(lon_lat, category="khac", title="Đèn đường hỏng") -> Incident:
    return incident_submit(principal=ANONYMOUS, report=ReportInput(
        category=category, lon=lon_lat[0], lat=lon_lat[1], title=title,
        description="Mô tả", reporter_phone="0900000000"))


def _commune(lon_lat, day=None, level=None) -> str:
    kwargs = {"level": level} if level else {}
    return selectors.unit_containing(point=Point(*lon_lat, srid=4326),
                                     day=day or timezone.localdate(), **kwargs).code


@pytest.fixture
def incidents():
    made = [_report(SAM_SON), _report(SAM_SON, "hu-hong-mat-duong"),
            _report(THANH_HOA_CITY, "hu-hong-mat-duong")]
    late = made[1]
    Incident.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=1))
    return made


def _hand_count(**filters) -> int:
    return Incident.objects.exclude(status__in=["rejected", "duplicate"]).filter(**filters).count()


def test_the_province_and_a_commune_count_what_a_hand_count_gives(client, django_user_model,
                                                                   incidents):
    _signed_in(client, django_user_model, "province_leader")
    province = client.get("/api/drill/units/38/incidents/").json()
    assert province["total"] == _hand_count()
    assert province["open"] == _hand_count(status__in=["new", "verified", "assigned",
                                                       "in_progress"])
    assert province["overdue"] == _hand_count(
        due_at__lt=timezone.now(), status__in=["new", "verified", "assigned", "in_progress"])
    assert province["overdue"] >= 1
    assert sum(row["count"] for row in province["by_status"]) == province["total"]
    assert sum(row["count"] for row in province["by_category"]) == province["total"]

    commune = _commune(SAM_SON)
    payload = client.get(f"/api/drill/units/{commune}/incidents/").json()
    assert payload["total"] == _hand_count(commune_code=commune) >= 2
    assert {row["code"]: row["count"] for row in payload["by_category"]} == {
        "khac": _hand_count(commune_code=commune, category__code="khac"),
        "hu-hong-mat-duong": _hand_count(commune_code=commune,
                                         category__code="hu-hong-mat-duong")}
    newest = payload["recent"][0]
    assert newest["id"] == Incident.objects.filter(commune_code=commune).latest(
        "created_at", "id").public_id
    assert "reporter_phone" not in newest and "0900000000" not in str(payload)


def test_a_pre_reform_district_holds_the_incidents_inside_its_outline(client, django_user_model,
                                                                     incidents):
    _signed_in(client, django_user_model, "province_leader")
    district = _commune(SAM_SON, PRE_REFORM_REFERENCE_DATE, AdminLevel.DISTRICT)
    payload = client.get(f"/api/drill/units/{district}/incidents/?generation=pre2025").json()
    from layers.models import AdminUnit

    outline = AdminUnit.objects.get(code=district, valid_to__isnull=False).geom
    assert payload["unit"] == {"code": district, "name": payload["unit"]["name"],
                               "level": "district", "generation": "pre2025"}
    assert payload["total"] == Incident.objects.exclude(
        status__in=["rejected", "duplicate"]).filter(location__intersects=outline).count() >= 2
    # a district code means nothing today
    assert client.get(f"/api/drill/units/{district}/incidents/").status_code == 404


def test_filters_window_category_and_status(client, django_user_model, incidents):
    _signed_in(client, django_user_model, "province_leader")
    today = timezone.localdate()
    base = "/api/drill/units/38/incidents/"
    # An incident of last week is outside a window of today (local days, both ends included).
    Incident.objects.filter(pk=incidents[2].pk).update(
        created_at=timezone.now() - timedelta(days=7))
    start = timezone.make_aware(datetime.combine(today, time.min))
    window = client.get(f"{base}?since={today}&until={today}").json()
    assert window["total"] == _hand_count(created_at__gte=start) >= 2
    assert window["since"] == window["until"] == today.isoformat()
    assert client.get(f"{base}?since={today + timedelta(days=1)}").json()["total"] == 0
    only = client.get(f"{base}?category=hu-hong-mat-duong").json()
    assert only["total"] == _hand_count(category__code="hu-hong-mat-duong")
    assert {row["code"] for row in only["by_category"]} == {"hu-hong-mat-duong"}
    assert client.get(f"{base}?status=new,verified").json()["total"] == _hand_count(
        status__in=["new", "verified"])


@pytest.mark.parametrize("query, field", [
    ("generation=1999", "generation"), ("since=2025-13-40", "since"),
    ("since=2025-03-02&until=2025-03-01", "until"), ("category=khong-co", "category"),
    ("status=lost", "status"), ("category=" + "a," * 1500, "category")])
def test_bad_filters_are_a_400_naming_the_field(client, django_user_model, query, field):
    _signed_in(client, django_user_model, "province_leader")
    response = client.get(f"/api/drill/units/38/incidents/?{query}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["details"]


def test_bound_staff_count_only_their_units_and_others_get_zero(client, django_user_model,
                                                               incidents):
    commune = _commune(SAM_SON)
    _signed_in(client, django_user_model, "unit_official", units=[commune])
    mine = client.get("/api/drill/units/38/incidents/").json()
    assert mine["total"] == _hand_count(commune_code=commune) >= 2
    assert {i["commune_code"] for i in mine["recent"]} == {commune}
    other = _commune(THANH_HOA_CITY)
    assert client.get(f"/api/drill/units/{other}/incidents/").json()["total"] == 0


def test_unknown_units_are_404_in_the_api_format(client, django_user_model):
    _signed_in(client, django_user_model, "province_leader")
    response = client.get("/api/drill/units/99999/incidents/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
