"""Pages with scripts work under a CSP without 'unsafe-inline' for scripts: the Swagger UI loads
its init script from our own URL; the admin's inline scripts (django-leaflet's map widget) carry
the per-request nonce that the CSP header names."""
import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from layers.selectors import unit_get

pytestmark = pytest.mark.django_db

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'([\w-]+)(?:="([^"]*)")?')
DATA_TYPES = {"application/json", "application/ld+json"}  # not executed: no CSP involved


def script_tags(html: str) -> list[dict[str, str]]:
    """Attributes of every <script> tag of a page."""
    return [dict(ATTRIBUTE.findall(attrs)) for attrs in SCRIPT_TAG.findall(html)]


def inline_scripts(html: str) -> list[dict[str, str]]:
    """The <script> tags that a browser would execute from the page itself."""
    return [tag for tag in script_tags(html)
            if "src" not in tag and tag.get("type", "") not in DATA_TYPES]


def script_src(response) -> list[str]:
    header = response.headers["Content-Security-Policy"]
    directive = next(p.split() for p in header.split(";") if p.split()[0] == "script-src")
    return directive[1:]


@pytest.fixture
def verified_admin() -> Client:
    """A client signed in as a superuser who passed the TOTP second factor."""
    user = get_user_model().objects.create_superuser("csp-admin", "csp@example.vn", "x")
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def test_swagger_ui_has_no_inline_script_and_serves_its_init_script(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert inline_scripts(html) == []
    assert "'unsafe-inline'" not in script_src(page)
    sources = [tag["src"].replace("&amp;", "&") for tag in script_tags(html)]
    init = [src for src in sources if src.startswith("/api/docs/") and "script" in src]
    assert len(init) == 1, sources
    script = client.get(init[0])
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
    for src in sources:  # the Swagger UI bundle itself is ours too (drf-spectacular-sidecar)
        assert src.startswith("/"), src


def test_admin_map_widget_scripts_carry_the_nonce_of_the_header(verified_admin):
    unit = unit_get(code="16531", day=date(2025, 8, 1))
    page = verified_admin.get(f"/admin/layers/adminunit/{unit.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "leaflet" in html.lower()
    sources = script_src(page)
    assert "'unsafe-inline'" not in sources
    nonces = [s for s in sources if s.startswith("'nonce-")]
    assert len(nonces) == 1, sources
    inline = inline_scripts(html)
    assert inline, "django-leaflet's widget writes inline scripts"
    assert [tag.get("nonce") for tag in inline] == [nonces[0][len("'nonce-"):-1]] * len(inline)


def test_admin_pages_without_a_map_have_no_inline_script(verified_admin):
    page = verified_admin.get("/admin/layers/adminunit/")
    assert page.status_code == 200
    assert inline_scripts(page.content.decode()) == []
