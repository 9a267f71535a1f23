"""Seeding the public reference tiles, draining changes made outside Django, rebuilding."""
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from layers.models import AdminUnit, Layer
from tests.tiles.helpers import CITY, fetch_layers, tile_url

pytestmark = pytest.mark.django_db


def test_seed_writes_public_reference_tiles_where_nginx_looks(file_cache, capsys):
    call_command("tiles_seed", "--max-zoom", "8", "--layer", "basemap",
                 "--layer", "admin-boundaries")
    out = capsys.readouterr()
    assert "Đã tạo" in out.out and "Tạo tile" in out.err  # summary and progress bar
    files = sorted(p.relative_to(file_cache).as_posix()
                   for p in file_cache.rglob("public.mvt.gz"))
    assert "basemap/8/203/113/public.mvt.gz" in files
    assert any(f.startswith("admin-boundaries/8/") for f in files)
    assert not any(p.name.startswith(".tmp") for p in file_cache.rglob("*"))


def test_seed_refuses_event_and_private_layers(file_cache):
    for slug in ("security-incidents", "traffic-accidents", "no-such-layer"):
        with pytest.raises(CommandError):
            call_command("tiles_seed", "--max-zoom", "6", "--layer", slug)


def test_writes_made_outside_django_are_drained_by_the_command(client, file_cache):
    url = tile_url("schools", CITY, 13)
    before = fetch_layers(client, url)
    target = before["schools"]["features"][0]["properties"]["id"]
    with connection.cursor() as cursor:  # as psql or another service would
        cursor.execute("""UPDATE layers_feature SET properties = properties || '{"name": "Đổi"}'
                          WHERE external_id = %s""", [target])
    stale = fetch_layers(client, url)
    assert stale == before  # nothing told the cache yet
    call_command("tiles_drain")
    after = fetch_layers(client, url)
    names = {f["properties"]["id"]: f["properties"]["name"] for f in after["schools"]["features"]}
    assert names[target] == "Đổi"


def test_a_unit_change_invalidates_the_boundary_tiles(client, file_cache,
                                                      django_capture_on_commit_callbacks):
    url = tile_url("admin-boundaries", CITY, 10)
    before = fetch_layers(client, url)
    unit = AdminUnit.objects.filter(valid_to__isnull=True, level="COMMUNE",
                                    code=before["commune"]["features"][0]["properties"]["code"]
                                    ).get()
    with django_capture_on_commit_callbacks(execute=True):
        unit.name = unit.name + " (thử)"
        unit.save()
    names = {f["properties"]["name"] for f in fetch_layers(client, url)["commune"]["features"]}
    assert unit.name in names


def test_rebuild_recomputes_clusters_identically(client, file_cache):
    layer = Layer.objects.get(slug="security-incidents")
    with connection.cursor() as cursor:
        cursor.execute("""SELECT level, sum(n), count(*) FROM tiles_pointcelltotal
                          WHERE layer_id = %s GROUP BY level ORDER BY level""", [layer.pk])
        before = cursor.fetchall()
        call_command("tiles_rebuild", stdout=None)
        cursor.execute("""SELECT level, sum(n), count(*) FROM tiles_pointcelltotal
                          WHERE layer_id = %s GROUP BY level ORDER BY level""", [layer.pk])
        assert cursor.fetchall() == before
    assert before and all(total == 6000 for _, total, _ in before)
