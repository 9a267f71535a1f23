"""Runs: atomic (a failure while writing row 9,999 of 10,000 writes nothing), idempotent (the
same file twice: all unchanged, nothing written), rejected rows reported (CSV), progress."""
import csv
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from audit.models import FeatureEvent
from integration.models import RunStatus
from layers.models import Feature
from tests.integration.conftest import geojson, rows, run_file, write_ogr

pytestmark = pytest.mark.django_db

FAIL_AT_SQL = """
CREATE FUNCTION pg_temp.fail_at_9999() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.external_id = 'TYT-09998' THEN RAISE EXCEPTION 'injected failure at row 9,999'; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER integration_test_fail BEFORE INSERT ON layers_feature
  FOR EACH ROW EXECUTE FUNCTION pg_temp.fail_at_9999();
"""


def test_a_failure_at_row_9999_of_10000_writes_nothing(connector, layer, tmp_path, settings):
    settings.IOC_IMPORT_WRITE_CHUNK = 2_000  # 4 chunks are written before the failing one
    path = write_ogr(tmp_path / "tram.gpkg", rows(10_000), "GPKG")
    with connection.cursor() as cursor:
        cursor.execute(FAIL_AT_SQL)
    run = run_file(connector, path)
    assert run.status == RunStatus.FAILED
    assert "injected failure at row 9,999" in run.message and "không ghi" in run.message
    assert (run.rows_inserted, run.rows_updated) == (0, 0)
    assert not Feature.objects.filter(layer=layer).exists()
    assert not run.rejected_rows.exists()
    assert not FeatureEvent.objects.filter(layer_id=layer.pk).exists()


def test_the_same_file_twice_changes_nothing(connector, layer, tmp_path):
    path = write_ogr(tmp_path / "tram.gpkg", rows(300), "GPKG")
    first = run_file(connector, path)
    assert (first.rows_inserted, first.rows_unchanged) == (300, 0)
    before = {f.external_id: f.updated_at for f in Feature.objects.filter(layer=layer)}
    events = FeatureEvent.objects.count()
    second = run_file(connector, path)
    assert second.status == RunStatus.SUCCEEDED
    assert (second.rows_read, second.rows_inserted, second.rows_updated,
            second.rows_unchanged) == (300, 0, 0, 300)
    assert {f.external_id: f.updated_at for f in Feature.objects.filter(layer=layer)} == before
    assert FeatureEvent.objects.count() == events  # no row was even rewritten


def test_changed_rows_update_and_new_rows_insert(connector, layer, tmp_path):
    run_file(connector, write_ogr(tmp_path / "a.gpkg", rows(10), "GPKG"))
    data = rows(12)
    data[0]["giuong"] = 6
    data[1]["lon"] += 0.001
    run = run_file(connector, write_ogr(tmp_path / "b.gpkg", data, "GPKG"))
    assert (run.rows_inserted, run.rows_updated, run.rows_unchanged) == (2, 2, 8)
    assert Feature.objects.get(layer=layer, external_id="TYT-00000").properties["beds"] == 6


def test_rejected_rows_are_reported_and_the_rest_imported(connector, layer, tmp_path,
                                                          api_client):
    data = rows(8)
    data[1]["loai"] = "Nhà thuốc"            # not in the code list
    data[2]["ma"] = data[0]["ma"]            # duplicate id
    data[3]["lon"], data[3]["lat"] = 105.84, 21.03  # Hà Nội
    data[4]["giuong"] = -3                   # below the minimum
    data[5]["ten"] = "=HYPERLINK(\"x\")"     # a formula, kept as text
    path = tmp_path / "tram.geojson"
    path.write_bytes(geojson(data))
    run = run_file(connector, path)
    assert run.status == RunStatus.SUCCEEDED
    assert (run.rows_read, run.rows_inserted, run.rows_rejected) == (8, 4, 4)
    reasons = dict(run.rejected_rows.values_list("row_number", "reason"))
    assert set(reasons) == {2, 3, 4, 5}
    assert "Nhà thuốc" in reasons[2] and "trùng dòng 1" in reasons[3]
    assert "ngoài tỉnh Thanh Hóa" in reasons[4] and "minimum" in reasons[5]

    from django.contrib.auth import get_user_model
    admin = get_user_model().objects.create_superuser("quan-tri", password="x")
    api_client.force_authenticate(admin)
    response = api_client.get(f"/api/integration/runs/{run.pk}/report.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text[1:])))
    assert table[0] == ["dong", "ma_ngoai", "ly_do", "gia_tri_goc"]
    assert [(int(r[0]), r[2]) for r in table[1:]] == sorted(reasons.items())
    assert json.loads(table[1][3])["loai"] == "Nhà thuốc"
    assert Feature.objects.get(layer=layer, external_id=data[5]["ma"]).properties[
        "name"] == "=HYPERLINK(\"x\")"


def test_progress_is_reported_by_phase(connector, tmp_path, settings):
    from integration.services import import_run_execute
    from tests.integration.conftest import start

    settings.IOC_IMPORT_PROGRESS_EVERY = 100
    settings.IOC_IMPORT_WRITE_CHUNK = 100
    seen = []
    run = start(connector, write_ogr(tmp_path / "tram.gpkg", rows(250), "GPKG"))
    run = import_run_execute(run=run, progress=lambda *step: seen.append(step))
    assert run.status == RunStatus.SUCCEEDED
    assert ("VALIDATING", 100, 250) in seen and ("VALIDATING", 250, 250) in seen
    assert ("WRITING", 200, 250) in seen and seen[-1] == ("WRITING", 250, 250)
    assert (run.phase, run.progress_done, run.progress_total) == ("DONE", 250, 250)


def test_import_file_command(connector, layer, tmp_path):
    path = write_ogr(tmp_path / "tram.gpkg", rows(50), "GPKG")
    out = io.StringIO()
    call_command("import_file", str(path), connector=connector.pk, no_progress=True, stdout=out)
    assert "SUCCEEDED" in out.getvalue() and "thêm 50" in out.getvalue()
    assert Feature.objects.filter(layer=layer).count() == 50


def test_import_file_command_refuses_vsi_paths(connector):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="/vsi"):
        call_command("import_file", "/vsicurl/http://example.com/a.gpkg", connector=connector.pk)


def test_a_bound_operator_imports_only_on_their_ground(connector, layer, tmp_path):
    from django.contrib.gis.geos import Point

    from access.principal import principal_for_user
    from layers import selectors
    from tests.access.conftest import TODAY, make_user

    unit = selectors.unit_containing(point=Point(105.9, 19.74, srid=4326), day=TODAY)
    user = make_user("sector_operator", units=[unit], sectors=["HEALTH"])
    data = rows(2)  # row 1 in Sầm Sơn, row 2 in TP Thanh Hóa
    path = tmp_path / "tram.geojson"
    path.write_bytes(geojson(data))
    run = run_file(connector, path, principal=principal_for_user(user), user=user)
    assert (run.rows_inserted, run.rows_rejected) == (1, 1), run.message
    assert "phạm vi quản lý" in run.rejected_rows.get(row_number=2).reason
