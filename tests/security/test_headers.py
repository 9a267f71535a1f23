"""Security headers on pages and API answers; HSTS, SSL redirect and cookie flags under the
production values."""
import importlib

import pytest

pytestmark = pytest.mark.django_db


def csp_directives(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers["Content-Security-Policy"]
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


@pytest.fixture
def prod_security(settings):
    """The transport settings of ioc_gis.settings.prod applied to the test settings."""
    prod = importlib.import_module("ioc_gis.settings.prod")
    for name in ("SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT", "SECURE_REDIRECT_EXEMPT",
                 "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
                 "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        setattr(settings, name, getattr(prod, name))
    return settings


@pytest.mark.parametrize("path", ["/", "/api/layers/", "/api/no-such-thing/"])
def test_every_answer_carries_the_security_headers(client, path):
    response = client.get(path)
    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_a_page_that_uses_no_nonce_gets_none_in_its_policy(client):
    csp = csp_directives(client.get("/"))
    assert csp["script-src"] == ["'self'"]


def test_hsts_on_https_behind_the_proxy(prod_security, client):
    response = client.get("/", headers={"x-forwarded-proto": "https"})
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload")


def test_plain_http_is_redirected_except_health_probes(prod_security, client):
    response = client.get("/api/layers/")
    assert response.status_code == 301
    assert response.headers["Location"] == "https://testserver/api/layers/"
    assert "Strict-Transport-Security" not in response.headers  # only sent over HTTPS
    assert client.get("/healthz").status_code == 200


def test_cookies_are_secure_and_hidden_from_scripts(prod_security, client):
    # The Swagger UI's init script embeds a CSRF token, so it sets the CSRF cookie.
    response = client.get("/api/docs/?script=", secure=True)
    cookie = response.cookies["csrftoken"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
