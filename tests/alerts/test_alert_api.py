"""/api/alerts/: who reads which alerts, filters, bad input, acknowledging."""
import pytest
from django.utils import timezone

from alerts.models import AlertKind, DepartmentContact
from alerts.services import alert_raise

pytestmark = pytest.mark.django_db
URL = "/api/alerts/"


@pytest.fixture
def alerts():
    now = timezone.now()
    made = {}
    for subject, sector, department in (("connector:1", "HEALTH", "Sở Y tế"),
                                        ("connector:2", "SECURITY", "Công an tỉnh"),
                                        ("kpi:GRDP", "", "Sở Tài chính")):
        made[subject], _ = alert_raise(kind=AlertKind.SOURCE_STALE, subject=subject,
                                       owner_department=department, sector=sector,
                                       title=f"Cảnh báo {subject}", now=now)
    return made


def _subjects(response) -> list[str]:
    return sorted(item["subject"] for item in response.json()["results"])


def test_sector_bound_staff_see_their_sectors_and_sectorless_alerts(alerts, user_of_role, api_of):
    everyone = api_of(user_of_role("province_leader")).get(URL)
    assert everyone.status_code == 200 and everyone.json()["count"] == 3
    bound = api_of(user_of_role("sector_operator", sectors=["HEALTH"])).get(URL)
    assert _subjects(bound) == ["connector:1", "kpi:GRDP"]


def test_mine_narrows_to_the_caller_s_departments(alerts, user_of_role, api_of):
    user = user_of_role("sector_operator")
    DepartmentContact.objects.create(department="Công an tỉnh").members.add(user)
    response = api_of(user).get(URL, {"mine": "true"})
    assert _subjects(response) == ["connector:2"]
    assert response.json()["departments"] == ["Công an tỉnh"]


@pytest.mark.parametrize("role, status", [(None, 403), ("field_staff", 403),
                                          ("wall_display", 403), ("citizen", 403)])
def test_callers_without_the_right_get_403(alerts, user_of_role, api_of, role, status):
    response = api_of(user_of_role(role) if role else None).get(URL)
    assert response.status_code == status
    assert response.json()["error"]["status"] == status


@pytest.mark.parametrize("query", [{"state": "closed"}, {"kind": "NOPE"}, {"limit": "0"},
                                   {"limit": "201"}, {"mine": "maybe"}])
def test_bad_filters_are_400(alerts, user_of_role, api_of, query):
    response = api_of(user_of_role("province_leader")).get(URL, query)
    assert response.status_code == 400 and "error" in response.json()


def test_state_filter_and_acknowledge(alerts, user_of_role, api_of):
    leader = api_of(user_of_role("province_leader"))
    pk = alerts["connector:1"].pk
    acknowledged = leader.post(f"{URL}{pk}/acknowledge/")
    assert acknowledged.status_code == 200
    assert acknowledged.json()["acknowledged_by"] and acknowledged.json()["is_open"]
    assert leader.post(f"{URL}999999/acknowledge/").status_code == 404
    assert api_of(user_of_role("planner")).post(f"{URL}{pk}/acknowledge/").status_code == 403
    assert leader.get(URL, {"state": "resolved"}).json()["count"] == 0
