"""The drill-down page (/drill/) through Django's test client: signed-in staff who may view the
map, the second factor first, a 403 page otherwise; Vietnamese by default and English on
request; no inline script; its config names the province, the units source and both
generations."""
import json
import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.citizen.test_citizen_pages import assert_strict_page

pytestmark = pytest.mark.django_db
URL = "/drill/"


def _user(django_user_model, role: str | None, name: str = "cd"):
    user = django_user_model.objects.create_user(name, password="x")
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


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


def test_users_without_map_rights_get_a_403_page(django_user_model):
    response = _client(_user(django_user_model, None)).get(URL)
    assert response.status_code == 403
    assert "Tài khoản không có quyền xem bản đồ." in response.content.decode()


def test_a_session_owing_its_second_factor_goes_to_the_otp_page(django_user_model):
    user = _user(django_user_model, "province_leader")
    TOTPDevice.objects.create(user=user, name="điện thoại", confirmed=True)
    response = _client(user).get(URL)
    assert response.status_code == 302 and "/accounts/" in response.headers["Location"]


def test_the_page_is_vietnamese_strict_and_configured(django_user_model):
    response = _client(_user(django_user_model, "province_leader")).get(URL)
    assert response.status_code == 200
    assert_strict_page(response)
    html = response.content.decode()
    assert '<html lang="vi">' in html and "Chỉ đạo điều hành" in html
    assert 'data-style-url="/tiles/style.json?theme=light"' in html
    assert response.headers["Cache-Control"].startswith("max-age=0")
    config = _config(html)
    assert config["province"] == "38" and config["units_source"] == "admin-boundaries"
    assert config["generations"] == {"current": None, "pre2025": "2025-06-30"}
    assert config["incidents"] is True and config["language"] == "vi"
    assert config["strings"]["layers_title"] == "Đối tượng theo lớp"


def test_english_on_request(django_user_model):
    client = _client(_user(django_user_model, "planner"))
    client.post("/i18n/setlang/", {"language": "en", "next": URL})
    html = client.get(URL).content.decode()
    assert '<html lang="en">' in html and "Drill-down: province → unit → records" in html
    config = _config(html)
    assert config["language"] == "en"
    assert config["strings"]["layers_title"] == "Objects by layer"
