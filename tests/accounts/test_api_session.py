"""On the API, a session that still owes its second factor counts as anonymous."""
import pytest

from accounts_helpers import confirmed_device, next_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def api_urls(settings):
    """The test URLs plus /api/whoami/."""
    settings.ROOT_URLCONF = "accounts_api_urls"


def test_an_unverified_administrator_session_is_anonymous_on_the_api(client, superuser):
    client.force_login(superuser)
    assert client.get("/api/whoami/").json() == {"user": None}


def test_a_verified_administrator_session_is_signed_in_on_the_api(
        client, superuser):
    device = confirmed_device(superuser)
    client.force_login(superuser)
    assert client.post("/accounts/otp/", {"token": next_token(device)}).status_code == 302
    assert client.get("/api/whoami/").json() == {"user": superuser.username}


def test_staff_without_second_factor_are_signed_in_on_the_api(client, staff):
    client.force_login(staff)
    assert client.get("/api/whoami/").json() == {"user": staff.username}
