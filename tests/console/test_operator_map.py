"""The operator map page (/dieu-hanh/ban-do/) through Django's test client: signed-in staff who
may follow incidents only (the socket's own rule), the second factor first, Vietnamese, no
inline script, and everything the page's scripts need in data- attributes and a JSON block."""
import json
import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.models import Jurisdiction
from layers.models import AdminLevel, AdminUnit
from tests.citizen.test_citizen_pages import assert_strict_page

pytestmark = pytest.mark.django_db
URL = "/dieu-hanh/ban-do/"


def _user(django_user_model, role: str | None, *, province: bool = True, name: str = "dh"):
    user = django_user_model.objects.create_user(name, password="x", is_staff=True)
    if role:
        user.groups.add(Group.objects.get(name=role))
    if province:
        jurisdiction = Jurisdiction.objects.create(user=user, sectors=[])
        jurisdiction.units.set([AdminUnit.objects.get(level=AdminLevel.PROVINCE,
                                                      valid_to__isnull=True)])
    return user


def _signed_in(user, device=None) -> Client:
    client = Client()
    client.force_login(user)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def test_anonymous_callers_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/login/?next={URL}"


def test_staff_without_incident_rights_or_ground_get_a_vietnamese_403(django_user_model):
    cases = ((None, True, "khong-quyen"), ("sector_operator", False, "khong-dia-ban"))
    for role, province, name in cases:
        user = _user(django_user_model, role, province=province, name=name)
        response = _signed_in(user).get(URL)
        assert response.status_code == 403
        assert "Không có quyền xem bản đồ điều hành" in response.content.decode()


def test_a_session_owing_its_second_factor_goes_to_the_otp_page(django_user_model):
    user = _user(django_user_model, "sector_operator")
    TOTPDevice.objects.create(user=user, name="điện thoại", confirmed=True)
    response = _signed_in(user).get(URL)
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/otp/?next=%2Fdieu-hanh%2Fban-do%2F"


def test_the_page_for_an_operator_is_strict_and_carries_its_configuration(django_user_model,
                                                                          settings):
    settings.IOC_LIVE_WS_PORT = 8001
    user = _user(django_user_model, "sector_operator")
    device = TOTPDevice.objects.create(user=user, name="điện thoại", confirmed=True)
    response = _signed_in(user, device).get(f"{URL}?theme=dark")
    assert response.status_code == 200
    assert "no-cache" in response.headers["Cache-Control"]
    assert_strict_page(response)
    html = response.content.decode()
    assert '<html lang="vi">' in html and "Bản đồ điều hành" in html and "Sự kiện mới" in html
    assert '<meta name="ioc-live-socket" content="ws://testserver:8001/ws/incidents/">' in html
    assert 'data-style-url="/tiles/style.json?theme=dark"' in html
    assert "maplibre-gl-csp-worker.js" in html
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert [s.rsplit("/", 1)[1] for s in scripts] == ["maplibre-gl-csp.js", "live.js",
                                                      "map-base.js", "operator-map.js"]
    config = json.loads(re.search(r'<script id="console-config" type="application/json">'
                                  r'(.*?)</script>', html, re.S).group(1))
    assert config["layer"] == "incidents"
    assert config["statuses"]["in_progress"] == "Đang xử lý"
    assert config["categories"]["hu-hong-mat-duong"] == "Hư hỏng mặt đường, ổ gà"
    province = AdminUnit.objects.get(level=AdminLevel.PROVINCE, valid_to__isnull=True)
    assert config["units"][province.code] == province.name
    # An unknown theme falls back to the light one rather than reaching the style's URL.
    html = _signed_in(user, device).get(f"{URL}?theme=%22%3E").content.decode()
    assert 'data-style-url="/tiles/style.json?theme=light"' in html
