"""The connector form in headless Chromium: the pull fields appear for the pull kinds only and
the records path for JSON REST only. The page is rendered by Django before Chromium starts
(test client, this test's transaction: with Playwright's sync API running, Django would take
other database connections, outside the transaction) and the browser is answered from it and
the static files only."""
import mimetypes
import shutil
import tempfile

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders

from tests.browser.conftest import CHROMIUM_ARGS, chromium_path

pytestmark = [pytest.mark.django_db, pytest.mark.browser]
ORIGIN = "http://ioc.test"


PATH = "/admin/integration/connector/add/"


@pytest.fixture
def form_html(client) -> bytes:
    """The add-connector page as a staff member with the integration rights sees it."""
    from django.contrib.auth.models import Permission

    staff = get_user_model().objects.create_user("cb-pull-page", password="x", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="integration"))
    client.force_login(staff)
    response = client.get(PATH)
    assert response.status_code == 200
    return response.content


@pytest.fixture
def page(form_html):
    """A Chromium page, started after the database work of the test."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="ioc-chromium-")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        yield context.new_page()
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


def _serve(page, pages: dict[str, bytes], seen: list) -> None:
    def answer(route):
        path = route.request.url.removeprefix(ORIGIN)
        seen.append(path)
        if path.startswith("/static/"):
            found = finders.find(path.removeprefix("/static/").split("?")[0])
            if found is None:
                return route.fulfill(status=404, body="")
            kind = mimetypes.guess_type(found)[0] or "application/octet-stream"
            with open(found, "rb") as handle:
                return route.fulfill(status=200, body=handle.read(), content_type=kind)
        if path in pages:
            return route.fulfill(status=200, body=pages[path],
                                 content_type="text/html; charset=utf-8")
        return route.abort()

    page.route("**/*", answer)


def _shown(page, selector: str) -> bool:
    return page.locator(selector).first.is_visible()


def test_the_pull_fields_follow_the_kind(form_html, page):
    seen: list = []
    _serve(page, {PATH: form_html}, seen)
    page.goto(ORIGIN + PATH)
    assert "/static/integration/connector_kind.js" in seen
    assert page.locator("#id_kind").input_value() == "FILE"
    assert not _shown(page, "fieldset.pull-fields")
    page.select_option("#id_kind", "HTTP_GEOJSON")
    assert _shown(page, "fieldset.pull-fields") and _shown(page, "#id_url")
    assert not _shown(page, ".field-records_path")
    page.select_option("#id_kind", "HTTP_JSON")
    assert _shown(page, ".field-records_path") and _shown(page, "#id_secret_env")
    page.select_option("#id_kind", "FILE")
    assert not _shown(page, "fieldset.pull-fields")
