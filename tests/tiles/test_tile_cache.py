"""Cached tiles and their exact invalidation, on both backends (real Redis, real files)."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from layers.models import Feature, Layer
from layers.services import features_upsert
from layers.validation import FeatureInput
from tests.tiles.helpers import CITY, SAM_SON, fetch_layers, tile_url
from tiles.cache import FileTileCache, RedisTileCache, TileKey, reset_tile_cache
from tiles.grid import TileAddress, lonlat_to_tile, tile_bounds, tile_range

pytestmark = pytest.mark.django_db
REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture(params=["file", "redis"])
def backend(request, settings, tmp_path):
    settings.TILES_CACHE = request.param
    settings.TILES_CACHE_DIR = str(tmp_path / "tiles")
    settings.REDIS_URL = REDIS_URL
    settings.TILES_CACHE_PREFIX = f"ioc:tiles:test:{tmp_path.name}"
    reset_tile_cache()
    yield request.param
    if request.param == "redis":
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{settings.TILES_CACHE_PREFIX}:*"):
            client.delete(key)
    reset_tile_cache()


def _accident(external_id: str, lon_lat) -> FeatureInput:
    props = {"severity": "nghiem_trong", "vehicle_types": ["xe_may"], "deaths": 1,
             "injuries": 0, "road_id": "QL1A", "cause": "ruou_bia", "is_synthetic": True}
    return FeatureInput(external_id, {"type": "Point", "coordinates": list(lon_lat)}, props,
                        datetime(2025, 3, 1, 8, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))


def _etag(client, url):
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    return response.status_code, response.get("ETag")


def _ids(layers, slug="traffic-accidents"):
    return {f["properties"].get("id") for f in layers.get(slug, {}).get("features", [])}


def _count(layers, slug="traffic-accidents"):
    return sum(f["properties"].get("count", 1) for f in layers.get(slug, {}).get("features", []))


def test_a_change_shows_in_the_next_tile_at_every_zoom_and_nothing_else_moves(
        client, backend, django_capture_on_commit_callbacks):
    layer = Layer.objects.get(slug="traffic-accidents")
    spot = (105.7801, 19.8063)
    z8, z14, z18 = (tile_url(layer.slug, spot, z) for z in (8, 14, 18))
    far = tile_url(layer.slug, SAM_SON, 14)
    before = {url: fetch_layers(client, url) for url in (z8, z14, z18)}
    far_etag = _etag(client, far)
    with CaptureQueriesContext(connection) as queries:
        assert _etag(client, far) == far_etag  # cached: no query
    assert len(queries) == 0

    with django_capture_on_commit_callbacks(execute=True):
        features_upsert(layer=layer, items=[_accident("cache-test-1", spot)])

    assert _count(fetch_layers(client, z8)) == _count(before[z8]) + 1
    assert _count(fetch_layers(client, z14)) == _count(before[z14]) + 1
    assert _ids(fetch_layers(client, z18)) == _ids(before[z18]) | {"cache-test-1"}
    with CaptureQueriesContext(connection) as queries:
        assert _etag(client, far) == far_etag  # untouched tile: still cached, same ETag
    assert len(queries) == 0

    moved = (105.7841, 19.8101)  # a few hundred metres: leaves the z18 tile
    with django_capture_on_commit_callbacks(execute=True):
        features_upsert(layer=layer, items=[_accident("cache-test-1", moved)])
    assert "cache-test-1" not in _ids(fetch_layers(client, z18))
    assert "cache-test-1" in _ids(fetch_layers(client, tile_url(layer.slug, moved, 18)))

    with django_capture_on_commit_callbacks(execute=True):
        Feature.objects.get(layer=layer, external_id="cache-test-1").delete()
    assert _count(fetch_layers(client, z8)) == _count(before[z8])


def test_role_filtered_tiles_are_cached_per_scope(client, backend, django_user_model):
    from access.models import Jurisdiction
    from layers import selectors

    url = tile_url("security-incidents", CITY, 12)
    leader = django_user_model.objects.create_user("leader", password="x")
    leader.groups.add(Group.objects.get(name="province_leader"))
    official = django_user_model.objects.create_user("official", password="x")
    official.groups.add(Group.objects.get(name="unit_official"))
    ward = selectors.unit_containing(point=_point(SAM_SON), day=_today())
    Jurisdiction.objects.create(user=official).units.set([ward])
    client.force_login(leader)
    assert client.get(url).status_code == 200
    client.force_login(official)
    assert client.get(url).status_code == 204  # not the leader's cached tile


def _point(lon_lat):
    from django.contrib.gis.geos import Point

    return Point(*lon_lat, srid=4326)


def _today():
    from django.utils import timezone

    return timezone.localdate()


@pytest.mark.parametrize("kind", ["file", "redis"])
def test_a_render_older_than_an_invalidation_is_not_stored(tmp_path, kind):
    cache = (FileTileCache(tmp_path) if kind == "file"
             else RedisTileCache(REDIS_URL, prefix=f"ioc:tiles:test:{tmp_path.name}"))
    key = TileKey("demo", 8, 203, 113, "public")
    generation = cache.generation("demo")
    cache.bump("demo")  # an invalidation lands while the tile renders
    cache.put(key, b"stale", generation)
    assert cache.get(key) is None
    cache.put(key, b"fresh", cache.generation("demo"))
    assert cache.get(key) == b"fresh"
    assert cache.invalidate("demo", 8, 203, 113, 203, 113) == 1
    assert cache.get(key) is None
    cache.clear_layer("demo")


@pytest.mark.parametrize("z", [0, 5, 8, 12, 14, 18, 22])
def test_invalidated_tiles_are_exactly_those_whose_buffered_area_meets_the_box(z):
    from tiles.grid import BUFFER, EXTENT

    point = lonlat_to_tile(*CITY, 22)
    x0b, y0b, x1b, y1b = tile_bounds(point)
    box = (x0b, y0b, x0b + 1.0, y0b + 1.0)
    x0, y0, x1, y1 = tile_range(box, z)
    n = 1 << z
    for x in range(max(0, x0 - 2), min(n, x1 + 3)):
        for y in range(max(0, y0 - 2), min(n, y1 + 3)):
            txmin, tymin, txmax, tymax = tile_bounds(TileAddress(z, x, y))
            pad = (txmax - txmin) * BUFFER / EXTENT
            meets = (txmin - pad <= box[2] and box[0] <= txmax + pad
                     and tymin - pad <= box[3] and box[1] <= tymax + pad)
            assert meets == (x0 <= x <= x1 and y0 <= y <= y1), (z, x, y)


def test_layer_definition_changes_clear_its_tiles(client, django_capture_on_commit_callbacks):
    url = tile_url("schools", CITY, 12)
    first = fetch_layers(client, url)
    layer = Layer.objects.get(slug="schools")
    schema = layer.property_schema
    name = layer.public_property_names()[0]
    schema["properties"][name]["x-public"] = False
    with django_capture_on_commit_callbacks(execute=True):
        layer.save()
    second = fetch_layers(client, url)
    assert any(name in f["properties"] for f in first["schools"]["features"])
    assert not any(name in f["properties"] for f in second["schools"]["features"])


def test_ranges_drop_exactly_the_cached_tiles_inside_them(backend):
    """One call for many zooms (a drain of many reports): small ranges by address, wide ranges
    by what is cached; tiles outside every range stay."""
    from tiles.cache import TileKey, tile_cache

    cache = tile_cache()
    inside = [(10, 812, 450), (10, 813, 451), (14, 13001, 7203), (14, 12000, 7000)]
    outside = [(10, 800, 450), (14, 13100, 7203), (12, 3250, 1801)]
    for z, x, y in inside + outside:
        for variant in ("public", "f-abc"):
            cache.put(TileKey("demo-layer", z, x, y, variant), b"tile", cache.generation("demo-layer"))
    dropped = cache.invalidate_ranges("demo-layer", {
        10: {(812, 450, 813, 451)},                      # 4 addresses, 2 of them cached
        14: {(13000, 7200, 13002, 7205), (11000, 6000, 12500, 7100)},  # small, and wide
    })
    assert dropped == len(inside)
    for z, x, y in inside:
        assert cache.get(TileKey("demo-layer", z, x, y, "public")) is None
        assert cache.get(TileKey("demo-layer", z, x, y, "f-abc")) is None
    for z, x, y in outside:
        assert cache.get(TileKey("demo-layer", z, x, y, "public")) == b"tile"
    assert (14, 12000, 7000) not in {(14, *a) for a in cache.cached_addresses("demo-layer", 14)}
