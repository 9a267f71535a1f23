"""The admin's map widget shows Thanh Hóa from our own boundaries, with no request leaving us."""
from datetime import date
from pathlib import Path

import pytest
from layers.selectors import unit_get

pytestmark = [pytest.mark.django_db, pytest.mark.browser]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def admin_login(live_url, page, superuser, otp_token):
    page.goto(f"{live_url}/admin/login/")
    assert "Đăng nhập" in page.content()  # the login page speaks Vietnamese
    page.fill("#id_username", superuser[0])
    page.fill("#id_password", superuser[1])
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_url}/accounts/otp/**")  # superusers pass the second factor
    assert "Xác thực hai lớp" in page.content()
    page.fill("#id_token", otp_token())
    page.click("#otp-form input[type=submit]")
    page.wait_for_url(f"{live_url}/admin/")
    return page


def test_unit_map_widget_draws_thanh_hoa_offline(live_url, admin_login):
    page = admin_login
    unit = unit_get(code="16531", day=date(2025, 8, 1))  # Phường Sầm Sơn
    page.goto(f"{live_url}/admin/layers/adminunit/{unit.pk}/change/")
    page.wait_for_selector(".leaflet-container[data-ioc-basemap=ready]", timeout=20_000)
    container = page.locator(".leaflet-container").first
    assert container.get_attribute("data-ioc-commune-count") == "166"
    assert container.get_attribute("data-ioc-province-count") == "1"
    # The unit being edited is drawn over our basemap.
    assert page.locator(".leaflet-overlay-pane path").count() >= 1
    assert page.locator(".leaflet-pane path").count() >= 167
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "admin-unit-map.png"))

    foreign = [url for url in page.seen_urls
               if not url.startswith((live_url, "data:", "blob:", "about:"))]
    assert foreign == []


def test_the_admin_index_is_in_vietnamese(admin_login):
    text = admin_login.content()
    assert "Đơn vị hành chính" in text or "đơn vị hành chính" in text.lower()
    assert "Lớp bản đồ" in text or "lớp bản đồ" in text.lower()
