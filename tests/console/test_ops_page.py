"""The operator console page (/ops/) through Django's test client: who may open it (the
incident feed's own rule), the second factor first, Vietnamese with an English switch, no
inline script, and everything its scripts need in data- attributes and #screen-config."""
import json
import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from layers.models import AdminLevel, AdminUnit
from tests.citizen.test_citizen_pages import assert_strict_page
from tests.console.test_operator_map import _signed_in, _user

pytestmark = pytest.mark.django_db
URL = "/ops/"
SCRIPTS = ["maplibre-gl-csp.js", "map-base.js", "ui.js", "live.js", "ops-map.js",
           "ops-drawer.js", "ops.js"]


def _config(html: str) -> dict:
    block = re.search(r'<script id="screen-config" type="application/json">(.*?)</script>',
                      html, re.S)
    return json.loads(block.group(1))


def _operator_with_device(django_user_model, role="sector_operator", **kwargs):
    user = _user(django_user_model, role, **kwargs)
    device = TOTPDevice.objects.create(user=user, name="điện thoại", confirmed=True)
    return user, device


def test_anonymous_callers_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/login/?next={URL}"


def test_staff_who_may_not_follow_incidents_get_a_403(django_user_model):
    cases = ((None, True, "khong-quyen"), ("sector_operator", False, "khong-dia-ban"))
    for role, province, name in cases:
        user = _user(django_user_model, role, province=province, name=name)
        response = _signed_in(user).get(URL)
        assert response.status_code == 403
        html = response.content.decode()
        assert "Không có quyền" in html and "chưa được giao địa bàn" in html


def test_a_session_owing_its_second_factor_goes_to_the_otp_page(django_user_model):
    user, _ = _operator_with_device(django_user_model)
    response = _signed_in(user).get(URL)
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/otp/?next=%2Fops%2F"


def test_the_console_is_strict_and_carries_its_configuration(django_user_model, settings):
    settings.IOC_LIVE_WS_PORT = 8001
    user, device = _operator_with_device(django_user_model)
    response = _signed_in(user, device).get(URL)
    assert response.status_code == 200
    assert "no-cache" in response.headers["Cache-Control"]
    assert_strict_page(response)
    html = response.content.decode()
    assert '<html lang="vi">' in html and "Điều hành sự cố" in html
    assert 'aria-current="page">Điều hành</a>' in html
    assert '<meta name="ioc-live-socket" content="ws://testserver:8001/ws/incidents/">' in html
    assert 'data-style-url="/tiles/style.json?theme=light"' in html
    scripts = [s.rsplit("/", 1)[1] for s in re.findall(r'<script src="([^"]+)"', html)]
    assert scripts == SCRIPTS
    for element in ("filter-sector", "filter-category", "filter-status", "filter-unit",
                    "filter-period", "filter-q", "incident-list", "drawer", "map"):
        assert f'id="{element}"' in html
    config = _config(html)
    assert config["language"] == "vi" and config["layer"] == "incidents"
    assert config["api"] == {"incidents": "/api/incidents/"}
    assert config["statuses"]["in_progress"] == "Đang xử lý"
    assert config["actions"]["verified"] == "Xác minh"
    road = next(c for c in config["categories"] if c["code"] == "hu-hong-mat-duong")
    assert road["name"] == "Hư hỏng mặt đường, ổ gà" and road["sla_hours"] > 0
    assert ["SECURITY", "An ninh trật tự"] in config["sectors"]
    province = AdminUnit.objects.get(level=AdminLevel.PROVINCE, valid_to__isnull=True)
    assert config["units"][0] == [province.code, province.name, "PROVINCE", None]
    communes = [u for u in config["units"] if u[2] == "COMMUNE"]
    assert communes and all(u[3] for u in communes)
    assert config["can_comment"] is True
    assert config["strings"]["sla_overdue"] == "Quá hạn {time}"


def test_english_switch_translates_the_page_and_its_strings(django_user_model):
    user, device = _operator_with_device(django_user_model)
    client = _signed_in(user, device)
    client.post("/i18n/setlang/", {"language": "en", "next": URL})
    response = client.get(URL)
    html = response.content.decode()
    assert '<html lang="en">' in html and "Incident operations" in html
    config = _config(html)
    assert config["language"] == "en"
    assert config["statuses"]["in_progress"] == "In progress"
    assert config["actions"]["assigned"] == "Assign"
    assert config["strings"]["sla_overdue"] == "Overdue by {time}"
    assert config["strings"]["live_open"] == "Receiving live updates"
    road = next(c for c in config["categories"] if c["code"] == "hu-hong-mat-duong")
    assert road["name"] != "Hư hỏng mặt đường, ổ gà"  # the category's English name
    assert "Lọc" not in html and "Bỏ lọc" not in html


def test_sector_staff_see_their_sectors_only_and_readers_cannot_comment(django_user_model):
    user, device = _operator_with_device(django_user_model, "sector_operator", name="gt")
    user.jurisdiction.sectors = ["TRAFFIC"]
    user.jurisdiction.save()
    config = _config(_signed_in(user, device).get(URL).content.decode())
    assert config["sectors"] == [["TRAFFIC", "Giao thông"]]
    assert {c["sector"] for c in config["categories"]} == {"TRAFFIC"}
    leader = _user(django_user_model, "province_leader", name="ld")
    response = _signed_in(leader).get(URL)
    assert response.status_code == 200
    assert _config(response.content.decode())["can_comment"] is False


def test_unknown_theme_falls_back_to_light_and_the_operator_map_still_answers(
        django_user_model):
    user, device = _operator_with_device(django_user_model)
    client = _signed_in(user, device)
    html = client.get(f"{URL}?theme=%22%3E").content.decode()
    assert 'data-style-url="/tiles/style.json?theme=light"' in html
    assert "theme-light" in html
    assert client.get("/dieu-hanh/ban-do/").status_code == 200
