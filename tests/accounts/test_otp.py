"""TOTP second factor: required for administrators (superusers, the administrator group),
optional for other staff until they enrol; enrolment shows a server-made SVG QR code."""
import re
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts_helpers import admin_password_login, confirmed_device, next_token

pytestmark = pytest.mark.django_db

OTP_URL = "/accounts/otp/?next=" + quote("/admin/", safe="")


def test_an_administrator_is_sent_from_password_login_to_the_otp_page(client, superuser):
    response = admin_password_login(client, superuser.username)
    assert response.status_code == 302
    assert response["Location"] == OTP_URL


def test_an_unverified_administrator_cannot_open_the_admin(client, superuser):
    client.force_login(superuser)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == OTP_URL
    for path in ("/admin/auth/user/", f"/admin/auth/user/{superuser.pk}/change/",
                 "/admin/password_change/"):
        assert client.get(path).status_code == 302, path


def test_a_member_of_the_administrator_group_needs_otp_too(client, group_admin):
    response = admin_password_login(client, group_admin.username)
    assert response["Location"] == OTP_URL


def test_enrolment_shows_an_inline_svg_qr_code_and_no_script(client, superuser):
    client.force_login(superuser)
    response = client.get(OTP_URL)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Thiết lập xác thực hai lớp" in text
    assert re.search(r"<svg[^>]*class=\"segno\"", text)
    assert not re.search(r"<script(?![^>]*\bsrc=)", text)  # no inline script (CSP)
    assert "chart.googleapis" not in text and "api.qrserver" not in text
    device = TOTPDevice.objects.get(user=superuser)
    assert not device.confirmed
    # Reloading keeps the same (not yet confirmed) key, so a scanned code stays valid.
    client.get(OTP_URL)
    assert TOTPDevice.objects.filter(user=superuser).count() == 1


def test_enrolling_with_a_correct_code_opens_the_admin(client, superuser):
    client.force_login(superuser)
    client.get(OTP_URL)
    device = TOTPDevice.objects.get(user=superuser)
    response = client.post(OTP_URL, {"token": next_token(device), "next": "/admin/"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_is_refused(client, superuser):
    device = confirmed_device(superuser)
    client.force_login(superuser)
    good = next_token(device)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    response = client.post(OTP_URL, {"token": wrong})
    assert response.status_code == 200
    assert "Mã xác thực không đúng" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    # Right after a failure the device makes the user wait (django-otp throttling).
    response = client.post(OTP_URL, {"token": good})
    assert "đợi" in response.content.decode()


def test_a_malformed_code_is_refused_by_the_form(client, superuser):
    client.force_login(superuser)
    response = client.post(OTP_URL, {"token": "12ab"})
    assert "6 chữ số" in response.content.decode()


def test_an_enrolled_administrator_enters_a_code_without_a_qr_code(client, superuser):
    device = confirmed_device(superuser)
    assert admin_password_login(client, superuser.username)["Location"] == OTP_URL
    page = client.get(OTP_URL).content.decode()
    assert "segno" not in page and "Xác thực hai lớp" in page
    response = client.post(OTP_URL, {"token": next_token(device), "next": "/admin/"},
                           follow=True)
    assert response.redirect_chain[-1][0] == "/admin/"
    assert response.status_code == 200


def test_a_code_is_accepted_once(client, superuser):
    device = confirmed_device(superuser)
    client.force_login(superuser)
    token = next_token(device)
    assert client.post(OTP_URL, {"token": token}).status_code == 302
    client.logout()
    client.force_login(superuser)
    assert client.post(OTP_URL, {"token": token}).status_code == 200


def test_staff_without_a_device_reach_the_admin(client, staff):
    response = admin_password_login(client, staff.username)
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_staff_may_enrol_and_must_then_verify(client, staff):
    client.force_login(staff)
    assert "class=\"segno\"" in client.get(OTP_URL).content.decode()
    device = TOTPDevice.objects.get(user=staff)
    assert client.post(OTP_URL, {"token": next_token(device)}).status_code == 302
    client.logout()
    assert admin_password_login(client, staff.username)["Location"] == OTP_URL


def test_an_unverified_administrator_can_log_out(client, superuser):
    client.force_login(superuser)
    response = client.post("/admin/logout/")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_otp_page_needs_a_login(client):
    response = client.get("/accounts/otp/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")


def test_next_cannot_leave_the_site(client, superuser):
    device = confirmed_device(superuser)
    client.force_login(superuser)
    response = client.post("/accounts/otp/",
                           {"token": next_token(device), "next": "https://evil.example/"})
    assert response["Location"] == "/admin/"


def test_otp_reset_command_lets_the_user_enrol_again(client, superuser):
    confirmed_device(superuser)
    call_command("otp_reset", superuser.username)
    assert not TOTPDevice.objects.filter(user=superuser).exists()
    client.force_login(superuser)
    assert "class=\"segno\"" in client.get(OTP_URL).content.decode()
