"""API rate limits: anonymous clients by address, token holders by token; a throttled request
is a 429 in the API's error format with Retry-After."""
import pytest
from django.core.cache import cache
from rest_framework.settings import api_settings

pytestmark = pytest.mark.urls("tests.security.urls_probe")

ECHO = "/api/probe/echo/"
TOKEN_ECHO = "/api/probe/token-echo/"


@pytest.fixture
def rates(settings):
    """Sets throttle rates for one test, on fresh counters."""
    cache.clear()

    def set_rates(**scopes: str | None) -> None:
        all_off = {"anon_burst": None, "anon_sustained": None, "token": None}
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                                   "DEFAULT_THROTTLE_RATES": {**all_off, **scopes}}

    yield set_rates
    cache.clear()


def assert_throttled(response, *, at_most_seconds: int) -> None:
    assert response.status_code == 429, response.content[:300]
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (429, "throttled")
    assert error["message"]
    assert 1 <= int(response.headers["Retry-After"]) <= at_most_seconds


def test_the_api_throttles_by_default():
    classes = [cls.__name__ for cls in api_settings.DEFAULT_THROTTLE_CLASSES]
    assert classes == ["AnonBurstThrottle", "AnonSustainedThrottle", "TokenThrottle"]


def test_anonymous_burst_limit(client, rates):
    rates(anon_burst="3/min")
    assert [client.get(ECHO).status_code for _ in range(3)] == [200, 200, 200]
    assert_throttled(client.get(ECHO), at_most_seconds=60)
    assert_throttled(client.post(ECHO, data={}, content_type="application/json"),
                     at_most_seconds=60)


def test_anonymous_daily_limit(client, rates):
    rates(anon_burst="100/min", anon_sustained="2/day")
    assert [client.get(ECHO).status_code for _ in range(2)] == [200, 200]
    assert_throttled(client.get(ECHO), at_most_seconds=86_400)


def test_addresses_are_counted_apart(client, rates):
    rates(anon_burst="1/min")
    assert client.get(ECHO, REMOTE_ADDR="10.0.0.1").status_code == 200
    assert client.get(ECHO, REMOTE_ADDR="10.0.0.2").status_code == 200
    assert client.get(ECHO, REMOTE_ADDR="10.0.0.1").status_code == 429


def test_a_forged_forwarded_for_does_not_reset_the_count(client, rates):
    rates(anon_burst="1/min")  # NUM_PROXIES=0 outside production: no proxy to trust
    assert client.get(ECHO, HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 200
    assert client.get(ECHO, HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 429


def test_behind_one_proxy_the_client_is_the_last_forwarded_address(client, rates, settings):
    rates(anon_burst="1/min")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    # A client may prepend anything; the proxy appends the address it saw.
    assert client.get(ECHO, HTTP_X_FORWARDED_FOR="9.9.9.9, 10.0.0.1").status_code == 200
    assert client.get(ECHO, HTTP_X_FORWARDED_FOR="8.8.8.8, 10.0.0.1").status_code == 429
    assert client.get(ECHO, HTTP_X_FORWARDED_FOR="10.0.0.2").status_code == 200


def test_tokens_are_limited_per_token(client, rates):
    rates(anon_burst="1/min", token="2/min")
    alpha, beta = {"HTTP_AUTHORIZATION": "Token alpha"}, {"HTTP_AUTHORIZATION": "Token beta"}
    assert [client.get(TOKEN_ECHO, **alpha).status_code for _ in range(2)] == [200, 200]
    assert_throttled(client.get(TOKEN_ECHO, **alpha), at_most_seconds=60)
    assert client.get(TOKEN_ECHO, **beta).status_code == 200  # the anonymous limit is not theirs


def test_token_counters_do_not_store_the_token(client, rates):
    rates(token="5/min")
    client.get(TOKEN_ECHO, HTTP_AUTHORIZATION="Token sekret-key-123")
    keys = list(cache._cache.keys())  # LocMemCache in tests
    assert keys and not any("sekret-key-123" in key for key in keys)


def test_retry_after_survives_a_lowered_rate(client, rates):
    rates(anon_burst="5/min")
    for _ in range(4):
        client.get(ECHO)
    rates(anon_burst="2/min")  # four requests on record, two allowed: DRF's wait() gives None
    assert_throttled(client.get(ECHO), at_most_seconds=60)
