"""API conventions shared by every later endpoint: OpenAPI schema, docs served by us, probes."""
import re

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_schema_lists_the_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/units/", "/api/units/{code}/", "/api/layers/"} <= set(schema["paths"])


def test_api_docs_load_assets_from_our_origin_only(client):
    page = client.get("/api/docs/").content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', page) + re.findall(r'"(https?://[^"]+)"', page)
    assert urls, "the docs page references its assets"
    assert [u for u in urls if u.startswith(("http://", "https://", "//"))] == []


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_checks_database_and_migrations(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["migrations"] == "applied"
    assert body["checks"]["postgis"]
