"""API tokens: hashed, shown once, scoped, expiring, narrowed to units."""
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.test import APIClient

from access.models import ApiToken
from access.services import api_token_create
from ioc_gis.errors import InvalidInputError
from layers import selectors
from tests.access.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def integration_user(db):
    user = get_user_model().objects.create_user("he-thong-giao-thong", password=None)
    user.groups.add(Group.objects.get(name="integration_client"))
    return user


def token(user, scopes, *, units=(), expires_in=timedelta(days=30)):
    return api_token_create(name="Hệ thống camera", user=user, scopes=scopes, units=units,
                            expires_at=timezone.now() + expires_in)


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_only_a_digest_is_stored(integration_user):
    created, key = token(integration_user, ["layers:read"])
    stored = ApiToken.objects.get(pk=created.pk)
    assert key.startswith(stored.prefix + ".")
    assert key.split(".", 1)[1] not in (stored.digest, stored.prefix)
    assert stored.digest == ApiToken.digest_of(key.split(".", 1)[1])


def test_a_good_token_reads_and_records_its_last_use(integration_user, world):
    created, key = token(integration_user, ["layers:read"],
                         units=[selectors.unit_get(code=world.inside_commune, day=TODAY)])
    response = client_with(key).get(f"/api/layers/{world.private.slug}/features/")
    assert response.status_code == 200
    assert [f["id"] for f in response.json()["results"]] == ["in"]
    assert "owner_phone" not in response.json()["results"][0]["properties"]  # never to tokens
    assert ApiToken.objects.get(pk=created.pk).last_used_at is not None


@pytest.mark.parametrize("path", ["/api/layers/", "/api/units/"])
def test_wrong_scope_is_403(integration_user, path):
    _, key = token(integration_user, ["reports:submit"])
    response = client_with(key).get(path)
    assert response.status_code == 403
    assert response.json()["error"]["status"] == 403


def test_write_scope_is_per_layer(integration_user, world):
    unit = selectors.unit_get(code=world.inside_commune, day=TODAY)
    _, key = token(integration_user, ["layers:read", "layers:write:test-public"], units=[unit])
    body = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "id": "cam-1", "properties": {"name": "Camera"},
        "geometry": {"type": "Point", "coordinates": [105.9, 19.74]}}]}
    client = client_with(key)
    assert client.post(f"/api/layers/{world.public.slug}/features/", body,
                       format="json").status_code == 200
    assert client.post(f"/api/layers/{world.private.slug}/features/", body,
                       format="json").status_code == 403


@pytest.mark.parametrize("mutate, message", [
    (lambda t: setattr(t, "expires_at", timezone.now() - timedelta(seconds=1)), "hết hạn"),
    (lambda t: setattr(t, "revoked_at", timezone.now()), "thu hồi"),
])
def test_expired_or_revoked_tokens_are_401(integration_user, mutate, message):
    created, key = token(integration_user, ["layers:read"])
    mutate(created)
    created.save()
    response = client_with(key).get("/api/layers/")
    assert response.status_code == 401
    assert message in response.json()["error"]["message"]
    assert response["WWW-Authenticate"].startswith("Token")


@pytest.mark.parametrize("header", ["Token nonsense", "Token abcdefgh.wrong-secret", "Token a b"])
def test_bad_keys_are_401(integration_user, header):
    token(integration_user, ["layers:read"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/layers/").status_code == 401


def test_unknown_scopes_are_refused(integration_user):
    with pytest.raises(InvalidInputError):
        token(integration_user, ["layers:write:../../etc"])
