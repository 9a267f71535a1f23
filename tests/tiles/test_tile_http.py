"""The tile endpoint's answers: statuses, encodings, validators and cache headers."""
import gzip

import pytest

from tests.tiles.helpers import CITY, SEA, tile_url
from tests.tiles.mvt_spec import assert_valid_tile

pytestmark = pytest.mark.django_db
MVT = "application/vnd.mapbox-vector-tile"
PUBLIC_URL = tile_url("traffic-accidents", CITY, 10)


def test_gzip_when_accepted_with_vary(client):
    response = client.get(PUBLIC_URL, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200
    assert response["Content-Type"] == MVT
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert int(response["Content-Length"]) == len(response.content)
    assert_valid_tile(gzip.decompress(response.content))


@pytest.mark.parametrize("accept", ["", "identity", "gzip;q=0, identity", "br"])
def test_identity_when_gzip_is_not_accepted(client, accept):
    response = client.get(PUBLIC_URL, HTTP_ACCEPT_ENCODING=accept)
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert "Accept-Encoding" in response["Vary"]
    assert response.content[:2] != b"\x1f\x8b"
    assert_valid_tile(response.content)


def test_etag_and_304(client):
    first = client.get(PUBLIC_URL, HTTP_ACCEPT_ENCODING="gzip")
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = client.get(PUBLIC_URL, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and "Accept-Encoding" in again["Vary"]
    weak = client.get(PUBLIC_URL, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=f"W/{etag}")
    assert weak.status_code == 304
    other = client.get(PUBLIC_URL, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH='"nope"')
    assert other.status_code == 200
    identity = client.get(PUBLIC_URL, HTTP_IF_NONE_MATCH=etag)
    assert identity.status_code == 200 and identity["ETag"] != etag  # another representation


def test_public_layers_are_publicly_cacheable(client):
    response = client.get(PUBLIC_URL)
    assert response["Cache-Control"].startswith("public")


def test_role_filtered_layers_are_private(client, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("leader", password="x")
    user.groups.add(Group.objects.get(name="province_leader"))
    client.force_login(user)
    response = client.get(tile_url("security-incidents", CITY, 12), HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private")
    assert {"Authorization", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}


def test_empty_tile_in_range_is_204(client):
    response = client.get(tile_url("traffic-accidents", SEA, 12))
    assert response.status_code == 204 and response.content == b""
    assert response["Cache-Control"].startswith("public")


def test_zoom_outside_the_layers_range_is_204(client):
    assert client.get(tile_url("schools", CITY, 6)).status_code == 204  # schools from z10


@pytest.mark.parametrize("path", [
    "/tiles/no-such-layer/8/203/113.pbf",
    "/tiles/traffic-accidents/8/256/113.pbf",      # x >= 2^z
    "/tiles/traffic-accidents/8/203/256.pbf",      # y >= 2^z
    "/tiles/traffic-accidents/23/0/0.pbf",         # beyond the deepest zoom
    "/tiles/traffic-accidents/8/-1/113.pbf",
    "/tiles/traffic-accidents/-8/1/1.pbf",
    "/tiles/traffic-accidents/8/2.5/113.pbf",
    "/tiles/traffic-accidents/8/abc/113.pbf",
    "/tiles/traffic-accidents/８/203/113.pbf",      # non-ASCII digits
    "/tiles/traffic-accidents/99999999999/0/0.pbf",
    "/tiles/security-incidents/8/203/113.pbf",     # private: invisible to anonymous
    "/tiles/Traffic-Accidents/8/203/113.pbf",
])
def test_bad_addresses_and_unknown_layers_are_small_json_404s(client, path):
    response = client.get(path)
    assert response.status_code == 404, path
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["status"] == 404
    assert len(response.content) < 300


@pytest.mark.parametrize("query, status", [
    ("since=2025-01-01", 200),
    ("since=2025-01-01T08:00:00%2B07:00&until=2025-03-01", 200),
    ("category=nghiem_trong,va_cham", 200),
    ("v=1.1.7", 200),                         # a cache-buster selects nothing
    ("since=yesterday", 400),
    ("since=2025-03-01&until=2025-01-01", 400),
    ("category=not-a-code", 400),
    ("status=closed", 400),                   # accidents have no status
    ("bbox=1,2,3,4", 400),
    ("date=2024-01-01", 400),                 # only unit layers take a date
])
def test_filters_are_allow_listed(client, query, status):
    response = client.get(tile_url("traffic-accidents", CITY, 12, query))
    assert response.status_code == status, response.content[:300]
    if status == 400:
        assert response.json()["error"]["code"] == "invalid_tile_filter"


def test_unit_tiles_reject_a_bad_date(client):
    response = client.get(tile_url("admin-boundaries", CITY, 8, "date=2025-13-40"))
    assert response.status_code == 400
