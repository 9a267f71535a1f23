"""Writers append point deltas; tiles count them at once; the drain folds them and bumps the
layer's data version (migration tiles/0003, ADR 0007 "Concurrent writers")."""
import json
import random

import psycopg2
import pytest
from django.db import connection

from layers.models import Feature, Layer
from layers.services import feature_delete_unchecked, features_upsert
from layers.validation import FeatureInput
from tests.tiles.helpers import CITY, fetch_layers, tile_url
from tiles.maintenance import deltas_fold, dirty_drain, rollup_rebuild
from tiles.models import LayerTileState, PointDelta

pytestmark = pytest.mark.django_db

SLUG = "traffic-accidents"  # public, clustered below z17


@pytest.fixture
def no_cache(settings):
    from tiles.cache import reset_tile_cache

    settings.TILES_CACHE = "off"
    reset_tile_cache()
    yield
    reset_tile_cache()


def _template() -> Feature:
    return Feature.objects.filter(layer__slug=SLUG).order_by("id").first()


def _add(layer: Layer, count: int, lon_lat=CITY, prefix: str = "delta") -> list[str]:
    template = _template()
    ids = [f"{prefix}-{i}" for i in range(count)]
    features_upsert(layer=layer, items=[FeatureInput(
        external_id, {"type": "Point", "coordinates": [lon_lat[0] + i * 1e-4, lon_lat[1]]},
        template.properties, template.observed_at) for i, external_id in enumerate(ids)])
    return ids


def _cluster_total(client, url: str) -> int:
    return sum(f["properties"]["count"] for f in fetch_layers(client, url)[SLUG]["features"])


def _cells(layer: Layer) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("""SELECT 'd', level, cx, cy, month::text, category, status, n, sx, sy
                            FROM tiles_pointcell WHERE layer_id = %(id)s AND n <> 0
                          UNION ALL
                          SELECT 't', level, cx, cy, '', category, '', n, sx, sy
                            FROM tiles_pointcelltotal WHERE layer_id = %(id)s AND n <> 0""",
                       {"id": layer.pk})
        cells = {row[:7]: (row[7], round(row[8], 1), round(row[9], 1))
                 for row in cursor.fetchall()}
        cursor.execute("""SELECT kind, code, month::text, n FROM tiles_unitmonthcount
                           WHERE layer_id = %s AND n <> 0""", [layer.pk])
        cells.update({("u", *row[:3]): row[3] for row in cursor.fetchall()})
        return cells


def test_tiles_count_new_points_before_and_after_the_fold(client, no_cache):
    layer = Layer.objects.get(slug=SLUG)
    urls = [tile_url(SLUG, CITY, z) for z in (6, 8, 11)]
    month = _template().observed_at.strftime("%Y-%m")
    filtered = tile_url(SLUG, CITY, 8, f"since={month}-01")
    before = [_cluster_total(client, url) for url in urls + [filtered]]
    cells_before = _cells(layer)

    _add(layer, 5)  # committed by nobody's drain: the deltas are still queued

    assert PointDelta.objects.filter(layer=layer).count() == 5
    assert _cells(layer) == cells_before  # no shared count row was written by the writer
    queued = [_cluster_total(client, url) for url in urls + [filtered]]
    assert queued == [n + 5 for n in before]
    bodies = [client.get(url, HTTP_ACCEPT_ENCODING="gzip").content for url in urls]

    assert deltas_fold() > 0
    assert not PointDelta.objects.filter(layer=layer).exists()
    assert _cells(layer) != cells_before
    assert [client.get(url, HTTP_ACCEPT_ENCODING="gzip").content for url in urls] == bodies
    assert _cluster_total(client, filtered) == queued[-1]


def test_folded_counts_equal_a_rebuild_after_inserts_moves_and_deletes(no_cache):
    layer = Layer.objects.get(slug=SLUG)
    rng = random.Random(5)
    ids = _add(layer, 40, prefix="mix")
    deltas_fold()
    template = _template()
    moved = rng.sample(ids, 15)
    features_upsert(layer=layer, items=[FeatureInput(
        external_id, {"type": "Point", "coordinates": [105.3 + rng.random(), 19.6 + rng.random()]},
        template.properties, template.observed_at) for external_id in moved])
    for external_id in rng.sample(sorted(set(ids) - set(moved)), 10):
        feature_delete_unchecked(layer=layer, external_id=external_id)
    assert PointDelta.objects.filter(layer=layer, sign=-1).count() == 25
    deltas_fold()
    folded = _cells(layer)
    rollup_rebuild(layer)
    assert _cells(layer) == folded


def test_a_drain_bumps_each_changed_layer_once(no_cache):
    layer = Layer.objects.get(slug=SLUG)
    dirty_drain()

    def version() -> int:
        state = LayerTileState.objects.filter(layer=layer).first()
        return state.data_version if state else 0

    start = version()
    _add(layer, 2, prefix="a")
    _add(layer, 3, prefix="b")
    assert version() == start  # writers do not touch the shared row
    dirty_drain()
    assert version() == start + 1
    dirty_drain()
    assert version() == start + 1


@pytest.fixture
def committed_connections():
    """Two connections of their own to the test database (their work is rolled back)."""
    db = connection.settings_dict
    conns = [psycopg2.connect(dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"],
                              host=db["HOST"] or None, port=db["PORT"] or None)
             for _ in range(2)]
    yield conns
    for conn in conns:
        conn.rollback()
        conn.close()


def test_two_writers_of_one_layer_do_not_wait_for_each_other(committed_connections):
    """Before: the second writer waited for the first one's commit (the version row and the
    low-zoom count rows); now it goes through while the first is still open."""
    layer_id = Layer.objects.get(slug=SLUG).pk
    properties = json.dumps(_template().properties)
    for i, conn in enumerate(committed_connections):
        with conn.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
            cursor.execute("""
                INSERT INTO layers_feature (layer_id, external_id, geom, properties, observed_at,
                                            created_at, updated_at)
                VALUES (%s, %s, ST_SetSRID(ST_MakePoint(105.78, 19.8), 4326), %s, now(),
                        now(), now())""", [layer_id, f"concurrent-{i}", properties])
            cursor.execute("SELECT count(*) FROM tiles_pointdelta WHERE layer_id = %s",
                           [layer_id])
            assert cursor.fetchone()[0] >= 1


def test_unit_counts_see_pending_points_and_keep_them_after_the_fold():
    from datetime import timedelta

    from tiles.models import UnitKind
    from tiles.unit_counts import unit_counts

    layer = Layer.objects.get(slug=SLUG)
    deltas_fold()
    commune = Feature.objects.filter(layer=layer).exclude(commune_code=None) \
        .values_list("commune_code", flat=True).first()
    lon_lat = Feature.objects.filter(layer=layer, commune_code=commune).first().geom.coords
    day = _template().observed_at.date()
    windows = [(None, None), (day - timedelta(days=40), day + timedelta(days=40)),
               (day, day)]

    def figures() -> list:
        return [unit_counts(layer=layer, kind=UnitKind.COMMUNE, codes=[commune], since=since,
                            until=until)[commune] for since, until in windows]

    before = figures()
    _add(layer, 3, lon_lat=lon_lat, prefix="unit")
    assert Feature.objects.filter(layer=layer, external_id__startswith="unit-",
                                  commune_code=commune).count() == 3
    pending = figures()
    assert pending == [n + 3 for n in before]
    deltas_fold()
    assert figures() == pending
    province = unit_counts(layer=layer, kind=UnitKind.DISTRICT_PRE2025, codes=None)
    assert sum(province.values()) == Feature.objects.filter(
        layer=layer, district_code_pre2025__isnull=False).count()
