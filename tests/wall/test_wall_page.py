"""The wall page (/wall/) through Django's test client: who may open it (the incident feed's
rule), a strict page (no inline script, our files only), dark and without header chrome, and
what its scripts need in data- attributes and the #screen-config block, in either language."""
import json
import re

import pytest
from django.test import Client

from tests.citizen.test_citizen_pages import assert_strict_page

pytestmark = pytest.mark.django_db
URL = "/wall/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def config_of(response) -> dict:
    html = response.content.decode()
    block = re.search(r'<script id="screen-config" type="application/json">(.*?)</script>', html,
                      re.S)
    return json.loads(block.group(1))


def test_anonymous_callers_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.headers["Location"].startswith(
        "/admin/login/?next=/wall/")


def test_staff_who_may_not_follow_incidents_get_a_403_page(user_as):
    for role, units in (("citizen", ("in",)), ("unit_official", ())):
        response = signed_in(user_as(role, units=units)).get(URL)
        assert response.status_code == 403
        assert "Tài khoản không có quyền xem màn hình tường." in response.content.decode()


def test_the_wall_is_dark_strict_without_header_and_configured(user_as, settings):
    settings.IOC_LIVE_WS_PORT = 8001
    response = signed_in(user_as("wall_display", units="province")).get(URL + "?scene=y-te")
    assert response.status_code == 200
    assert "no-cache" in response.headers["Cache-Control"]
    assert_strict_page(response)
    html = response.content.decode()
    assert 'class="screen theme-dark wall-screen"' in html
    assert "screen-header" not in html and "screen-nav" not in html
    assert '<meta name="ioc-live-socket" content="ws://testserver:8001/ws/incidents/">' in html
    assert 'data-style-url="/tiles/style.json?theme=dark"' in html
    scripts = [s.rsplit("/", 1)[1] for s in re.findall(r'<script src="([^"]+)"', html)]
    assert scripts == ["maplibre-gl-csp.js", "map-base.js", "ui.js", "live.js", "wall-map.js",
                       "wall.js"]
    assert "Sự cố đang mở" in html and "Xử lý đúng hạn (30 ngày)" in html
    config = config_of(response)
    assert config["scene"] == "y-te" and config["language"] == "vi"
    assert config["urls"] == {"scenes": "/api/wall/scenes/", "pin": "/api/wall/pin/",
                              "kpi": "/api/wall/kpi/", "events": "/api/wall/events/"}
    assert config["incidents_layer"] == "incidents" and config["pin_poll_seconds"] == 30
    assert config["strings"]["connection.ok"] == "Trực tuyến"
    assert config["labels"]["statuses"]["new"] == "Mới tiếp nhận"
    assert config["labels"]["categories"]["khac"] == "Phản ánh khác"
    assert len(config["labels"]["units"]) > 100


def test_a_scene_parameter_that_is_not_a_slug_is_ignored_and_light_is_available(user_as):
    client = signed_in(user_as("wall_display", units="province"))
    response = client.get(URL + '?scene="><script>&theme=light')
    assert config_of(response)["scene"] is None
    assert "theme-light" in response.content.decode()


def test_english_from_the_wall_catalogue(user_as):
    client = signed_in(user_as("wall_display", units="province"))
    client.cookies["django_language"] = "en"
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Open incidents" in html and "Resolved on time (30 days)" in html
    config = config_of(response)
    assert config["language"] == "en"
    assert config["strings"]["connection.ok"] == "Online"
    assert config["strings"]["scene.pinned"] == "Pinned by {who} until {until}"
    assert config["labels"]["statuses"]["in_progress"] == "In progress"
    assert config["labels"]["categories"]["khac"] == "Other"
