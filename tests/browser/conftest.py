"""Headless Debian Chromium driven by Playwright (the browser Playwright would download cannot be
fetched on our machines, so we point it at /usr/bin/chromium)."""
import shutil
from contextlib import contextmanager
import tempfile

import pytest

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
    "--ignore-gpu-blocklist", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Debian's chromium is required for browser tests (make test installs it)")
    return path


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module, with a fresh profile. Not per session: Playwright's sync
    API keeps an event loop running in the test thread until it stops, and async code run by
    later tests (async_to_sync: the live push, its socket tests) refuses to start under it."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="ioc-chromium-")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1280, "height": 900}, locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh")
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser):
    """A fresh page whose every request is recorded in `page.seen_urls`."""
    page = browser.new_page()
    page.seen_urls = []
    page.on("request", lambda request: page.seen_urls.append(request.url))
    yield page
    page.close()
    browser.clear_cookies()


@contextmanager
def live_server_on_test_db(django_db_blocker, *, last: bool = False):
    """Serve the test database over HTTP on a free port; yields the base URL. `last`: this
    server outlives every other, so it may end the database sessions left behind.

    Not pytest-django's `live_server`: that one needs `transactional_db`, which empties every
    table after each test and would throw away the demo province loaded once per session.
    The server sees committed data only, so browser fixtures commit what they create.
    """
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    thread = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()
    if last:
        _close_other_sessions(django_db_blocker)


@pytest.fixture(scope="session")
def live_url(django_db_setup, django_db_blocker):
    """A live server on the session's test database."""
    with live_server_on_test_db(django_db_blocker, last=True) as url:
        yield url


def _close_other_sessions(django_db_blocker) -> None:
    """Request threads of the server may still hold a session; the test database cannot be
    dropped while they do."""
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture(scope="session")
def superuser(django_db_blocker):
    """A committed superuser (username, password, confirmed TOTP device), removed at the end of
    the session. Superusers must pass the second factor (accounts app), so the device exists
    up front and `otp_token` gives its codes."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    credentials = ("quantri", "mat-khau-demo-123")
    with django_db_blocker.unblock():
        user = get_user_model().objects.create_superuser(credentials[0], "qt@example.vn",
                                                         credentials[1])
        device = TOTPDevice.objects.create(user=user, name="browser tests", confirmed=True)
    yield (*credentials, device)
    with django_db_blocker.unblock():
        user.delete()


@pytest.fixture
def otp_token(superuser):
    """Returns the next one-time code the superuser's device accepts (a code is accepted once,
    so a second login in the same 30 s uses the next time step)."""
    from django_otp.oath import TOTP, hotp

    def token() -> str:
        device = superuser[2]
        device.refresh_from_db()
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        step = max(totp.t(), device.last_t + 1)
        return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"

    return token


@pytest.fixture(scope="session")
def end_idle_db_sessions(django_db_setup, django_db_blocker):
    """At the end of the session, end the database sessions left open, so that the test
    database can be dropped: Django keeps connections per contextvars context, and with
    Playwright's sync API running, the test's transaction gets a connection that nothing closes
    (the conftest's `live_url` does the same for the tests that use it)."""
    yield
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")


def signed_in_context(browser, *, url: str, cookie: str, viewport: dict, **options):
    """A fresh browser context (Vietnamese, Vietnam time) carrying the session `cookie`
    ("name=value") for the server at `url`; `browser` is the persistent context of the
    `browser` fixture (new contexts come from its Browser)."""
    context = browser.browser.new_context(viewport=viewport, locale="vi-VN",
                                          timezone_id="Asia/Ho_Chi_Minh", **options)
    name, value = cookie.split("=", 1)
    context.add_cookies([{"name": name, "value": value, "url": url, "httpOnly": True,
                          "sameSite": "Lax"}])
    return context
