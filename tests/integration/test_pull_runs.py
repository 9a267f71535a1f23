"""Pull runs from a local HTTP server: GeoJSON, JSON REST (records path, nested fields, code
lists, NFC), CSV by URL, and an OGC API – Features collection paged through `next` links —
pages recorded from our own /ogc/ server. Then the run properties that come from sharing the
upload pipeline: idempotent (a second pull changes nothing), conditional GET (304 → a run
recorded as unchanged), atomic (a broken payload or a failure while writing the last row
writes nothing), progress, and the fetched payloads pruned."""
import json
import unicodedata
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client

from audit.models import FeatureEvent
from integration.models import ConnectorKind, RunPhase, RunStatus, RunTrigger
from integration.pull import pull_start, with_limit
from integration.services import import_run_execute
from layers.models import Feature, GeometryKind, Sector
from layers.services import features_upsert
from layers.validation import FeatureInput
from tests.factories import make_layer
from tests.integration.conftest import INSIDE, STATION_SCHEMA, csv_bytes, geojson, rows
from tests.integration.test_pull_errors import pull_connector, pull_now, serving

source = pytest.fixture(serving, name="source")

pytestmark = pytest.mark.django_db


def _stored(layer) -> dict:
    return {f.external_id: f.properties for f in Feature.objects.filter(layer=layer)}


# ---- the formats -----------------------------------------------------------------------------

def test_a_geojson_pull_imports_and_records_where_from(layer, source):
    url = source.add("/tram.geojson", geojson(rows(6)), content_type="application/geo+json")
    run = pull_now(pull_connector(layer, url))
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert (run.trigger, run.source_url, run.driver) == (RunTrigger.MANUAL, url, "GeoJSON")
    assert (run.rows_read, run.rows_inserted, run.file_size) == (6, 6, len(geojson(rows(6))))
    assert _stored(layer)["TYT-00000"] == {"name": "Trạm 0 Quảng Tiến", "kind": "BV", "beds": 0}
    path, headers = source.requests[0]
    assert path == "/tram.geojson" and "application/geo+json" in headers["Accept"]
    assert "ioc-gis" in headers["User-Agent"]


def test_a_json_rest_pull_maps_nested_fields_code_lists_and_nfc(layer, source):
    nfd = unicodedata.normalize("NFD", "Trạm y tế Quảng Tiến")
    records = [{"ma": f"R{i}", "thong_tin": {"ten": nfd, "loai": "TRẠM Y TẾ", "giuong": i},
                "vi_tri": {"kinh_do": INSIDE[i % 4][0], "vi_do": INSIDE[i % 4][1]},
                "ghi_chu": ["a", "b"]} for i in range(5)]
    body = json.dumps({"status": "ok", "data": {"total": 5, "items": records}},
                      ensure_ascii=False).encode()
    url = source.add("/api/v1/tram?page=all", body, content_type="application/json")
    connector = pull_connector(
        layer, url, ConnectorKind.HTTP_JSON, records_path="data.items", id_column="ma",
        lon_column="vi_tri.kinh_do", lat_column="vi_tri.vi_do",
        field_mapping={"name": {"source": "thong_tin.ten"},
                       "kind": {"source": "thong_tin.loai", "values": {"Trạm y tế": "TYT"}},
                       "beds": {"source": "thong_tin.giuong"}})
    run = pull_now(connector)
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert (run.driver, run.rows_inserted) == ("JSON", 5)
    stored = _stored(layer)["R3"]
    assert stored == {"name": "Trạm y tế Quảng Tiến", "kind": "TYT", "beds": 3}
    assert unicodedata.is_normalized("NFC", stored["name"]) and stored["name"] != nfd
    feature = Feature.objects.get(layer=layer, external_id="R1")
    assert (round(feature.geom.x, 6), round(feature.geom.y, 6)) == INSIDE[1]


def test_a_json_rest_pull_of_a_top_level_list(layer, source):
    records = [{"ma": r["ma"], "ten": r["ten"], "loai": r["loai"], "giuong": r["giuong"],
                "lon": r["lon"], "lat": r["lat"]} for r in rows(3)]
    url = source.add("/api/tram", json.dumps(records).encode())
    run = pull_now(pull_connector(layer, url, ConnectorKind.HTTP_JSON, lon_column="lon",
                                  lat_column="lat"))
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert run.rows_inserted == 3


def test_a_csv_pull_with_rejected_rows_leaves_a_report(layer, source, api_client):
    data = rows(5)
    data[2]["lat"] = 21.03  # Hà Nội
    url = source.add("/xuat/tram.csv", csv_bytes(data, delimiter=";"),
                     content_type="text/csv")
    run = pull_now(pull_connector(layer, url, ConnectorKind.CSV_URL))
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert (run.rows_inserted, run.rows_rejected) == (4, 1)
    assert run.rejected_rows.get().row_number == 3


@pytest.fixture
def ogc_source_layer(db):
    """A public layer of 7 stations on our own feature store, served by /ogc/."""
    source_layer = make_layer(slug="tram-nguon-ogc", sector=Sector.HEALTH, is_public=True,
                              geometry_kind=GeometryKind.POINT, property_schema=STATION_SCHEMA)
    features_upsert(layer=source_layer, items=[
        FeatureInput(r["ma"], {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                     {"name": r["ten"], "kind": ["BV", "TYT", "PK"][i % 3], "beds": i})
        for i, r in enumerate(rows(7))])
    return source_layer


def _record_ogc_pages(slug: str, limit: int, base: str) -> dict[str, bytes]:
    """Our /ogc/ items pages (through Django's test client), links pointed at `base`."""
    pages, path, client = {}, f"/ogc/collections/{slug}/items?limit={limit}", Client()
    while path:
        response = client.get(path)
        assert response.status_code == 200, response.content
        text = response.content.decode().replace("http://testserver", base)
        pages[path] = text.encode()
        nexts = [link["href"] for link in json.loads(text)["links"] if link["rel"] == "next"]
        path = nexts[0].removeprefix(base) if nexts else None
    return pages


def test_an_ogc_collection_is_paged_through_next_links(layer, source, ogc_source_layer):
    pages = _record_ogc_pages(ogc_source_layer.slug, 3, source.base)
    assert len(pages) == 3  # 3 + 3 + 1 features
    for path, body in pages.items():
        source.add(path, body, content_type="application/geo+json")
    url = source.url(next(iter(pages)))
    connector = pull_connector(layer, url, ConnectorKind.OGC_FEATURES, id_column="id",
                               field_mapping={"name": {"source": "name"},
                                              "kind": {"source": "kind"},
                                              "beds": {"source": "beds"}})
    run = pull_now(connector)
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert (run.rows_read, run.rows_inserted) == (7, 7)
    assert [path for path, _ in source.requests] == list(pages)
    assert _stored(layer)["TYT-00004"] == {"name": "Trạm 4 Quảng Tiến", "kind": "TYT", "beds": 4}
    assert (run.phase, run.progress_done, run.progress_total) == (RunPhase.DONE, 7, 7)
    again = pull_now(connector)
    assert (again.rows_unchanged, again.rows_inserted, again.rows_updated) == (7, 0, 0)


def test_an_items_url_without_limit_gets_the_large_page(settings):
    settings.IOC_PULL_OGC_PAGE_LIMIT = 500
    assert with_limit("http://x/ogc/collections/a/items") == \
        "http://x/ogc/collections/a/items?limit=500"
    kept = "http://x/items?bbox=1,2,3,4&limit=7"
    assert with_limit(kept) == kept


def _page(features: list, next_href: str | None) -> bytes:
    links = [{"rel": "next", "href": next_href, "type": "application/geo+json"}] if next_href \
        else []
    return json.dumps({"type": "FeatureCollection", "features": features,
                       "links": links}).encode()


def _features(start: int, n: int) -> list:
    return json.loads(geojson(rows(n, start)))["features"]


def test_an_ogc_page_cap_fails_instead_of_importing_part(layer, source, settings):
    settings.IOC_PULL_MAX_PAGES = 2
    for page in range(3):
        source.add(f"/items?limit=2&p={page}", _page(_features(2 * page, 2),
                                                      f"/items?limit=2&p={page + 1}"))
    run = pull_now(pull_connector(layer, source.url("/items?limit=2&p=0"),
                                  ConnectorKind.OGC_FEATURES))
    assert run.status == RunStatus.FAILED and "hơn 2 trang" in run.message, run.message
    assert not Feature.objects.filter(layer=layer).exists()


def test_an_ogc_next_link_loop_or_to_another_host_fails(layer, source):
    source.add("/items?limit=2", _page(_features(0, 2), "/items?limit=2"))
    run = pull_now(pull_connector(layer, source.url("/items?limit=2"),
                                  ConnectorKind.OGC_FEATURES))
    assert run.status == RunStatus.FAILED and "quay lại" in run.message, run.message
    source.add("/a?limit=2", _page(_features(0, 2), "http://example.org/items?limit=2"))
    run = pull_now(pull_connector(layer, source.url("/a?limit=2"), ConnectorKind.OGC_FEATURES))
    assert run.status == RunStatus.FAILED and "ra ngoài máy chủ nguồn" in run.message
    assert [p for p, _ in source.requests].count("/a?limit=2") == 1  # never left the host
    assert not Feature.objects.filter(layer=layer).exists()


def test_an_ogc_url_that_is_not_an_items_page_fails(layer, source):
    source.add("/ogc/collections/x?limit=5", json.dumps({"id": "x", "links": []}).encode())
    run = pull_now(pull_connector(layer, source.url("/ogc/collections/x?limit=5"),
                                  ConnectorKind.OGC_FEATURES))
    assert run.status == RunStatus.FAILED
    assert "không phải một GeoJSON FeatureCollection" in run.message, run.message


# ---- idempotent, conditional, atomic ---------------------------------------------------------

def test_a_second_pull_of_the_same_data_changes_nothing(layer, source):
    url = source.add("/tram.geojson", geojson(rows(20)), content_type="application/geo+json")
    connector = pull_connector(layer, url)
    first = pull_now(connector, RunTrigger.SCHEDULE)
    assert first.rows_inserted == 20, first.message
    before = {f.external_id: f.updated_at for f in Feature.objects.filter(layer=layer)}
    events = FeatureEvent.objects.count()
    second = pull_now(connector, RunTrigger.SCHEDULE)
    assert second.status == RunStatus.SUCCEEDED
    assert (second.rows_read, second.rows_inserted, second.rows_updated,
            second.rows_unchanged) == (20, 0, 0, 20)
    assert {f.external_id: f.updated_at for f in Feature.objects.filter(layer=layer)} == before
    assert FeatureEvent.objects.count() == events


def test_an_unchanged_source_answers_304_and_the_run_is_recorded_unchanged(layer, source):
    url = source.add("/tram.geojson", geojson(rows(4)), content_type="application/geo+json",
                     etag='"v1"')
    connector = pull_connector(layer, url)
    first = pull_now(connector)
    assert (first.rows_inserted, first.source_etag) == (4, '"v1"')
    assert "If-None-Match" not in source.requests[0][1]
    second = pull_now(connector)
    assert source.requests[1][1]["If-None-Match"] == '"v1"'
    assert second.status == RunStatus.SUCCEEDED and second.source_not_modified
    assert (second.rows_read, second.rows_inserted, second.rows_unchanged) == (0, 0, 0)
    assert "HTTP 304" in second.message and second.stored_path == ""
    assert second.source_etag == '"v1"'  # kept for the next pull
    third = pull_now(connector)
    assert third.source_not_modified and source.requests[2][1]["If-None-Match"] == '"v1"'
    # a new version: fetched and imported
    source.add("/tram.geojson", geojson(rows(5)), content_type="application/geo+json",
               etag='"v2"')
    fourth = pull_now(connector)
    assert (fourth.source_not_modified, fourth.rows_inserted, fourth.rows_unchanged) == (
        False, 1, 4)


def test_last_modified_is_sent_back_and_saving_the_connector_forces_a_full_fetch(layer,
                                                                                 source):
    stamp = "Wed, 01 Jan 2025 00:00:00 GMT"

    def dated(handler):
        if handler.headers.get("If-Modified-Since") == stamp:
            return handler._send(304, {}, b"")
        return handler._send(200, {"Content-Type": "application/geo+json",
                                   "Last-Modified": stamp}, geojson(rows(3)))

    url = source.add("/tram.geojson", handler=dated)
    connector = pull_connector(layer, url)
    assert pull_now(connector).source_last_modified == stamp
    assert pull_now(connector).source_not_modified
    connector.field_mapping = {**connector.field_mapping}
    connector.save()  # the mapping may have changed: the next pull reads everything
    third = pull_now(connector)
    assert not third.source_not_modified and third.rows_unchanged == 3
    assert "If-Modified-Since" not in source.requests[2][1]


def test_a_failed_pull_does_not_make_the_source_look_imported(layer, source, settings):
    url = source.add("/tram.geojson", geojson(rows(3)), content_type="application/geo+json",
                     etag='"v1"')
    connector = pull_connector(layer, url)
    settings.IOC_IMPORT_MAX_ROWS = 2
    failed = pull_now(connector)
    assert failed.status == RunStatus.FAILED and failed.source_etag == '"v1"'
    settings.IOC_IMPORT_MAX_ROWS = 1_000_000
    retried = pull_now(connector)
    assert "If-None-Match" not in source.requests[1][1]
    assert retried.rows_inserted == 3, retried.message


def test_a_payload_broken_near_its_end_writes_nothing(layer, source):
    body = geojson(rows(500))
    url = source.add("/tram.geojson", body[:-40] + b"{broken",
                     content_type="application/geo+json")
    run = pull_now(pull_connector(layer, url))
    assert run.status == RunStatus.FAILED, run.message
    assert not Feature.objects.filter(layer=layer).exists()


def test_a_failure_while_writing_the_last_row_writes_nothing(layer, source, settings):
    settings.IOC_IMPORT_WRITE_CHUNK = 100
    url = source.add("/tram.geojson", geojson(rows(500)), content_type="application/geo+json")
    with connection.cursor() as cursor:
        cursor.execute("""
            CREATE FUNCTION pg_temp.fail_last() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.external_id = 'TYT-00499' THEN RAISE EXCEPTION 'injected at row 500'; END IF;
              RETURN NEW;
            END $$;
            CREATE TRIGGER integration_pull_fail BEFORE INSERT ON layers_feature
              FOR EACH ROW EXECUTE FUNCTION pg_temp.fail_last();""")
    run = pull_now(pull_connector(layer, url))
    assert run.status == RunStatus.FAILED
    assert "injected at row 500" in run.message and "không ghi" in run.message
    assert not Feature.objects.filter(layer=layer).exists()
    assert not FeatureEvent.objects.filter(layer_id=layer.pk).exists()


def test_fetch_progress_is_reported(layer, source, settings):
    settings.IOC_IMPORT_PROGRESS_EVERY = 1
    body = geojson(rows(3000))  # several hundred kB
    url = source.add("/tram.geojson", body, content_type="application/geo+json")
    connector = pull_connector(layer, url)
    seen = []
    run = import_run_execute(run=pull_start(connector=connector, principal=None,
                                            dispatch=False),
                             progress=lambda *step: seen.append(step))
    assert run.status == RunStatus.SUCCEEDED, run.message
    kib = -(-len(body) // 1024)
    fetching = [step for step in seen if step[0] == "FETCHING"]
    assert fetching[-1] == ("FETCHING", kib, kib) and len(fetching) > 2
    assert [step[0] for step in seen].index("READING") > seen.index(fetching[-1])


def test_only_the_latest_payloads_are_kept(layer, source, settings):
    settings.IOC_PULL_KEEP_PAYLOADS = 2
    url = source.add("/tram.geojson", geojson(rows(2)), content_type="application/geo+json")
    connector = pull_connector(layer, url)
    runs = [pull_now(connector) for _ in range(4)]
    for run in runs:
        run.refresh_from_db()
    assert [bool(r.stored_path) for r in runs] == [False, False, True, True]
    directories = [p.name for p in settings.IOC_IMPORT_DIR.iterdir()]
    assert sorted(directories) == sorted(r.stored_path.split("/")[0] for r in runs[2:])


def test_the_interval_is_at_least_a_minute(layer):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        pull_connector(layer, "http://127.0.0.1/x", pull_interval=timedelta(seconds=30))
