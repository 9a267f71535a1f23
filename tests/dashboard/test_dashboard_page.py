"""The strategic dashboard page (/dashboard/) through Django's test client: signed-in staff who
may read staff KPIs (the KPI app's rule), the second factor first, a 403 page otherwise;
Vietnamese by default and English on request; no inline script; its config names the
province, the caller's home unit, the sectors in the plan's order, the APIs and what the
caller may do; the screens' header links to it."""
import json
import re

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.citizen.test_citizen_pages import assert_strict_page

pytestmark = pytest.mark.django_db
URL = "/dashboard/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _config(html: str) -> dict:
    block = re.search(r'<script id="screen-config" type="application/json">(.*?)</script>', html,
                      re.S)
    return json.loads(block.group(1))


def test_anonymous_callers_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"?next={URL}")


@pytest.mark.parametrize("role", ["citizen", None])
def test_users_who_may_not_read_staff_kpis_get_a_403_page(staff, role):
    from django.contrib.auth import get_user_model

    user = staff(role) if role else get_user_model().objects.create_user("plain", password="x")
    response = _client(user).get(URL)
    assert response.status_code == 403
    assert "Tài khoản không có quyền xem các chỉ số điều hành (KPI)" in response.content.decode()


def test_an_operator_of_a_sector_without_kpis_is_refused(staff):
    response = _client(staff("sector_operator", sectors=["ADMIN"])).get(URL)
    assert response.status_code == 403


def test_a_session_owing_its_second_factor_goes_to_the_otp_page(staff):
    user = staff("province_leader")
    TOTPDevice.objects.create(user=user, name="điện thoại", confirmed=True)
    response = _client(user).get(URL)
    assert response.status_code == 302 and "/accounts/" in response.headers["Location"]


def test_the_page_is_vietnamese_strict_and_configured(staff):
    response = _client(staff("province_leader")).get(URL)
    assert response.status_code == 200
    assert_strict_page(response)
    html = response.content.decode()
    assert '<html lang="vi">' in html and "Bảng điều hành chiến lược" in html
    assert '<a href="/dashboard/" aria-current="page">Bảng điều hành</a>' in html
    assert 'data-style-url="/tiles/style.json?theme=light"' in html
    assert response.headers["Cache-Control"].startswith("max-age=0")
    config = _config(html)
    assert config["province"] == "38" and config["home"] == "38"
    assert config["units_source"] == "admin-boundaries"
    assert config["generations"] == {"current": None, "pre2025": "2025-06-30"}
    sectors = [code for code, _ in config["sectors"]]
    assert sectors[:3] == ["SOCIO_ECONOMIC", "GOVERNMENT", "SECURITY"] and len(sectors) == 10
    assert dict(config["sectors"])["TOURISM"] == "Du lịch"
    assert config["can_export"] is True and config["incidents"] is True
    assert config["api"]["summary"] == "/api/kpi/summary/"
    assert config["api"]["units"] == "/api/dashboard/kpi/KPI/units/"
    assert config["api"]["attention"] == "/api/insights/attention/"
    assert config["api"]["briefing"] == "/api/dashboard/briefing/"
    assert len(config["periods"]) == 24 and re.match(r"^\d{4}-\d{2}$", config["periods"][0][0])
    assert config["statuses"]["red"] == "Không đạt"
    assert config["strings"]["records_button"] == "Xem hồ sơ"


def test_other_screens_link_to_the_dashboard(staff):
    html = _client(staff("province_leader")).get("/drill/").content.decode()
    assert '<a href="/dashboard/">Bảng điều hành</a>' in html


def test_a_bound_official_opens_on_their_own_commune_and_may_not_export(staff):
    from layers.models import AdminUnit

    commune = AdminUnit.objects.filter(level="COMMUNE", valid_to__isnull=True).order_by(
        "code")[3]
    config = _config(_client(staff("unit_official", units=[commune])).get(URL)
                     .content.decode())
    assert config["home"] == commune.code
    assert config["can_export"] is False


def test_a_sector_operator_sees_only_their_sectors(staff):
    config = _config(_client(staff("sector_operator", sectors=["TRAFFIC"])).get(URL)
                     .content.decode())
    codes = [code for code, _ in config["sectors"]]
    assert "TRAFFIC" in codes and "SECURITY" not in codes  # public KPIs keep their sectors


def test_english_on_request(staff):
    client = _client(staff("planner"))
    client.post("/i18n/setlang/", {"language": "en", "next": URL})
    html = client.get(URL).content.decode()
    assert '<html lang="en">' in html
    assert "Strategic dashboard: indicators, units, records" in html
    assert '<a href="/dashboard/" aria-current="page">Dashboard</a>' in html
    config = _config(html)
    assert config["language"] == "en"
    assert config["strings"]["records_button"] == "View records"
    assert dict(config["sectors"])["TOURISM"] == "Tourism"
    assert config["statuses"]["green"] == "On target"
