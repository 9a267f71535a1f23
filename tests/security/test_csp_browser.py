"""In Chromium, under the real CSP: the Swagger UI renders and the admin's Leaflet map widget
draws, with no Content-Security-Policy violation reported."""
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.conf import settings

from tests.browser.conftest import CHROMIUM_ARGS, chromium_path, live_server_on_test_db

pytestmark = [pytest.mark.django_db, pytest.mark.browser, pytest.mark.slow]


def browse(url: str, *, wait_for: str, count: str = "body", cookies: tuple = ()) -> dict:
    """Opens `url` in a fresh Chromium, waits for `wait_for`, and returns the CSP violations
    Chromium logged and how many `count` elements the page has.

    Runs in a thread of its own: the Playwright sync API refuses to start in a thread where
    another instance (tests/browser's session-wide Chromium) is running."""
    def run() -> dict:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(),
                                                 args=CHROMIUM_ARGS, headless=True)
            context = browser.new_context()
            context.add_cookies(list(cookies))
            page = context.new_page()
            violations = []
            page.on("console", lambda message: violations.append(message.text)
                    if "Content Security Policy" in message.text else None)
            page.goto(url)
            page.wait_for_selector(wait_for, timeout=20_000)
            result = {"violations": violations, "count": page.locator(count).count()}
            browser.close()
        return result

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@pytest.fixture(scope="module")
def live_server_url(django_db_setup, django_db_blocker):
    """A live server on the test database (it sees committed rows only)."""
    with live_server_on_test_db(django_db_blocker) as url:
        yield url


@pytest.fixture(scope="module")
def admin_session(django_db_blocker):
    """Session key of a committed superuser who passed the second factor."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with django_db_blocker.unblock():
        user = get_user_model().objects.create_superuser("csp-browser", "cspb@example.vn", "x")
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        client = Client()
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    yield session.session_key
    with django_db_blocker.unblock():
        user.delete()


def test_swagger_ui_renders_under_the_csp(live_server_url):
    seen = browse(f"{live_server_url}/api/docs/", wait_for=".swagger-ui .opblock")
    assert seen["violations"] == []


def test_admin_map_widget_draws_under_the_csp(live_server_url, admin_session):
    from layers.selectors import unit_get

    unit = unit_get(code="16531", day=date(2025, 8, 1))
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": admin_session,
              "url": live_server_url}
    seen = browse(f"{live_server_url}/admin/layers/adminunit/{unit.pk}/change/",
                  wait_for=".leaflet-container[data-ioc-basemap=ready]",
                  count=".leaflet-overlay-pane path", cookies=(cookie,))
    assert seen["count"] >= 1  # the unit being edited, drawn by the widget's inline script
    assert seen["violations"] == []
