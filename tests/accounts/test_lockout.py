"""Lockout after repeated failed logins (django-axes): 5 failures of one username from one
address lock that pair for 15 minutes, with a Vietnamese page (or API JSON) and HTTP 429."""
import json
from datetime import timedelta

import pytest
from axes.helpers import get_lockout_response
from axes.models import AccessAttempt
from django.test import RequestFactory

from accounts_helpers import PASSWORD, admin_password_login

pytestmark = pytest.mark.django_db

LIMIT = 5


def fail(client, username, times, **extra):
    """`times` wrong passwords; returns the last response."""
    response = None
    for _ in range(times):
        response = admin_password_login(client, username, "sai-mat-khau", **extra)
    return response


def test_four_failures_keep_the_login_form(client, staff):
    response = fail(client, staff.username, LIMIT - 1)
    assert response.status_code == 200
    assert "id_username" in response.content.decode()


def test_the_fifth_failure_locks_with_429_in_vietnamese(client, staff):
    response = fail(client, staff.username, LIMIT)
    assert response.status_code == 429
    text = response.content.decode()
    assert "Tài khoản tạm thời bị khóa" in text
    assert "15 phút" in text
    assert response["Retry-After"] == "900"
    assert "<script>" not in text  # no inline script (CSP)


def test_the_right_password_is_refused_while_locked(client, staff):
    fail(client, staff.username, LIMIT)
    response = admin_password_login(client, staff.username)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_username_and_address(client, staff, make_user):
    fail(client, staff.username, LIMIT)
    # The same username from another address can still sign in...
    other_address = admin_password_login(client, staff.username, REMOTE_ADDR="10.1.2.3")
    assert other_address.status_code == 302
    client.logout()
    # ...and another username from the locked address too.
    colleague = make_user("dongnghiep", is_staff=True)
    assert admin_password_login(client, colleague.username).status_code == 302


def test_success_resets_the_counter(client, staff):
    fail(client, staff.username, LIMIT - 1)
    assert admin_password_login(client, staff.username).status_code == 302
    client.logout()
    assert not AccessAttempt.objects.filter(username=staff.username).exists()
    assert fail(client, staff.username, LIMIT - 1).status_code == 200


def test_the_lock_ends_after_15_minutes(client, staff):
    fail(client, staff.username, LIMIT)
    AccessAttempt.objects.filter(username=staff.username).update(
        attempt_time=AccessAttempt.objects.get(username=staff.username).attempt_time
        - timedelta(minutes=16))
    assert admin_password_login(client, staff.username).status_code == 302


def test_a_json_client_gets_the_api_error_format(client, staff):
    response = fail(client, staff.username, LIMIT, HTTP_ACCEPT="application/json")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["status"] == 429
    assert error["code"] == "locked_out"
    assert "đăng nhập sai quá nhiều lần" in error["message"]


def test_lockouts_under_api_answer_in_the_api_error_format(staff):
    """No /api/ endpoint takes a password today; a future one (token by password) gets JSON."""
    request = RequestFactory().post("/api/auth/token/", HTTP_ACCEPT="text/html")
    response = get_lockout_response(request, None, {"username": staff.username})
    assert response.status_code == 429
    assert json.loads(response.content)["error"]["code"] == "locked_out"


def test_the_test_clients_login_still_works(client, staff):
    assert client.login(username=staff.username, password=PASSWORD)
    assert client.get("/admin/").status_code == 200


def test_force_login_still_works(client, staff):
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200


def test_proxy_address_is_taken_from_forwarded_for(settings):
    from accounts.lockout import client_ip

    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR="127.0.0.1",
                          HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_ip(request) == "127.0.0.1"  # no trusted proxy: header ignored
    settings.IOC_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # the spoofed left part is ignored
    assert client_ip(factory.get("/", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"
