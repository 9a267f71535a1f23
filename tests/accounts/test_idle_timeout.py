"""Session idle timeout: a session ends after IOC_SESSION_IDLE_SECONDS without requests (and
SESSION_COOKIE_AGE after it began); the stamp is written at most once a minute."""
import time

import pytest
from django.conf import settings

from accounts.middleware import SESSION_LAST_ACTIVITY_KEY, SESSION_STARTED_KEY

pytestmark = pytest.mark.django_db


def stamp(client, **values):
    """Put timestamps (seconds ago) into the client's stored session."""
    session = client.session
    now = int(time.time())
    for key, seconds_ago in values.items():
        session[key] = now - seconds_ago
    session.save()


def test_the_policy_settings():
    assert settings.IOC_SESSION_IDLE_SECONDS == 1800
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_an_active_session_is_stamped(client, staff):
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
    assert abs(client.session[SESSION_LAST_ACTIVITY_KEY] - time.time()) < 5
    assert SESSION_STARTED_KEY in client.session


def test_a_recent_stamp_is_not_rewritten(client, staff):
    client.force_login(staff)
    stamp(client, **{SESSION_LAST_ACTIVITY_KEY: 30})
    before = client.session[SESSION_LAST_ACTIVITY_KEY]
    assert client.get("/admin/").status_code == 200
    assert client.session[SESSION_LAST_ACTIVITY_KEY] == before


def test_a_minute_old_stamp_is_refreshed(client, staff):
    client.force_login(staff)
    stamp(client, **{SESSION_LAST_ACTIVITY_KEY: 120})
    client.get("/admin/")
    assert abs(client.session[SESSION_LAST_ACTIVITY_KEY] - time.time()) < 5


def test_an_idle_session_is_logged_out_and_sent_to_login(client, staff):
    client.force_login(staff)
    stamp(client, **{SESSION_LAST_ACTIVITY_KEY: 1801})
    response = client.get("/admin/layers/", follow=True)
    assert response.redirect_chain[0][0] == "/admin/login/?next=/admin/layers/"
    assert "Phiên làm việc đã hết hạn" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The message is shown once.
    assert "Phiên làm việc đã hết hạn" not in client.get("/admin/login/").content.decode()


def test_the_idle_limit_comes_from_settings(client, staff, settings):
    settings.IOC_SESSION_IDLE_SECONDS = 1
    client.force_login(staff)
    stamp(client, **{SESSION_LAST_ACTIVITY_KEY: 3})
    assert client.get("/admin/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_session_ends_12_hours_after_it_began_even_if_busy(client, staff):
    client.force_login(staff)
    stamp(client, **{SESSION_LAST_ACTIVITY_KEY: 10, SESSION_STARTED_KEY: 12 * 3600 + 1})
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert "_auth_user_id" not in client.session


def test_an_idle_api_request_just_becomes_anonymous(client, staff):
    client.force_login(staff)
    stamp(client, **{SESSION_LAST_ACTIVITY_KEY: 1801})
    response = client.get("/api/layers/")
    assert response.status_code == 200  # the public layer list, answered, not redirected
    assert "_auth_user_id" not in client.session


def test_requests_without_a_session_do_not_get_one(client):
    response = client.get("/api/layers/")
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_an_idle_session_opening_the_login_page_just_sees_it(client, staff):
    client.force_login(staff)
    stamp(client, **{SESSION_LAST_ACTIVITY_KEY: 1801})
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert "Phiên làm việc đã hết hạn" in response.content.decode()
