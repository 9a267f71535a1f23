"""Importing values from CSV/XLSX: all or nothing with a report of every bad row, an upsert by
(kpi, unit, period) with provenance, the unit code read in the right generation, and the
caller's rights, sectors and ground applied to every row."""
import csv
import io
from datetime import date

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pyogrio import raw

from kpi.errors import ImportFileInvalid, ImportForbidden, ImportRejected
from kpi.imports import kpi_values_import
from kpi.models import KpiRun, KpiValue
from kpi.units import CURRENT, PRE_REFORM

pytestmark = pytest.mark.django_db
HEADER = ("kpi", "unit", "period", "value", "note")


def csv_file(tmp_path, rows, header=HEADER, name="so-lieu.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / name
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def admin_principal(principal_of_role):
    return principal_of_role("administrator")


GOOD = [("tourist-arrivals", "38", "2025-07", "3300000", "ước tính"),
        ("tourist-arrivals", "382", "2025-07", "2400000", ""),
        ("dossiers-received", "14758", "2024-03", "1200", ""),
        ("dossiers-received", "14758", "2025-09", "1500", ""),
        ("grdp-growth", "38", "2025-Q3", "9,85", ""),
        ("school-enrolment", "38", "2025", "718900", ""),
        ("bed-occupancy", "381", "2025-07-01", "101.5", "")]


def test_a_valid_file_is_written_with_its_provenance(tmp_path, admin_principal, units):
    report = kpi_values_import(principal=admin_principal, path=csv_file(tmp_path, GOOD),
                               file_name="so-lieu.csv")
    assert (report.rows, report.counts.inserted, report.counts.updated) == (7, 7, 0)
    run = report.run
    assert (run.kind, run.file_name, run.rows_inserted) == ("IMPORT", "so-lieu.csv", 7)
    values = {(v.kpi.code, v.unit_id, v.period_start): v
              for v in KpiValue.objects.select_related("kpi").filter(run=run)}
    # 14758 names Phường Đông Thọ before the reform and the new Phường Hàm Rồng after it
    old, new = units.by_key[(PRE_REFORM, "14758")], units.by_key[(CURRENT, "14758")]
    assert old != new
    assert values[("dossiers-received", old, date(2024, 3, 1))].value == 1200
    assert values[("dossiers-received", new, date(2025, 9, 1))].value == 1500
    assert values[("grdp-growth", units.province_id, date(2025, 7, 1))].value == 9.85
    arrivals = values[("tourist-arrivals", units.province_id, date(2025, 7, 1))]
    assert (arrivals.note, arrivals.source) == ("ước tính", "IMPORT")
    assert values[("bed-occupancy", units.by_key[(PRE_REFORM, "381")], date(2025, 7, 1))]


def test_the_same_file_twice_changes_nothing_and_a_change_updates_one_row(tmp_path,
                                                                          admin_principal):
    first = kpi_values_import(principal=admin_principal, path=csv_file(tmp_path, GOOD),
                              file_name="a.csv")
    again = kpi_values_import(principal=admin_principal, path=csv_file(tmp_path, GOOD),
                              file_name="a.csv")
    assert (again.counts.inserted, again.counts.updated, again.counts.unchanged) == (0, 0, 7)
    assert set(KpiValue.objects.values_list("run_id", flat=True)) == {first.run.pk}
    changed = [GOOD[0][:3] + ("3400000", "số liệu chính thức")] + GOOD[1:]
    third = kpi_values_import(principal=admin_principal, path=csv_file(tmp_path, changed),
                              file_name="b.csv")
    assert (third.counts.updated, third.counts.unchanged) == (1, 6)
    updated = KpiValue.objects.get(run=third.run)
    assert (updated.value, updated.note) == (3_400_000, "số liệu chính thức")


def test_the_generation_column_names_a_back_cast_of_a_new_commune(tmp_path, admin_principal,
                                                                  units):
    rows = [("dossiers-received", "14758", "2024-03", "900", "", "current")]
    kpi_values_import(principal=admin_principal, file_name="x.csv",
                      path=csv_file(tmp_path, rows, header=(*HEADER, "the_he")))
    assert KpiValue.objects.get(period_start=date(2024, 3, 1)).unit_id == units.by_key[
        (CURRENT, "14758")]


BAD = [
    ("khong-co", "38", "2025-07", "1", ""),                      # 3 unknown KPI
    ("traffic-accidents", "38", "2025-07", "1", ""),             # 4 computed
    ("tourist-arrivals", "38", "2025-Q3", "1", ""),              # 5 quarter for a month KPI
    ("tourist-arrivals", "38", "2025-07-14", "1", ""),           # 6 a day inside the month
    ("tourist-arrivals", "99999", "2025-07", "1", ""),           # 7 no such unit
    ("tourist-arrivals", "15460", "2025-07", "1", ""),           # 8 a commune: grain DISTRICT
    ("grdp", "382", "2025", "1", ""),                            # 9 province-only KPI
    ("dossiers-received", "38", "2025-07", "nhiều", ""),         # 10 not a number
    ("tourist-arrivals", "38", "2025-13", "1", ""),              # 11 no such month
    ("tourist-arrivals", "38", "2025-07", "", ""),               # 12 missing value
    ("tourist-arrivals", "38", "2025-06", "1", "x" * 301),       # 13 note too long
    ("tourist-arrivals", "38", "2025-08", "1", ""),              # 14 fine…
    ("tourist-arrivals", "38", "2025-08", "2", ""),              # 15 …but repeated
    ("tourist-arrivals", "38", "2025-09", "inf", ""),            # 16 not finite
]


def test_one_bad_row_and_nothing_is_written_with_every_reason_reported(tmp_path,
                                                                       admin_principal):
    path = csv_file(tmp_path, [GOOD[0], *BAD])
    with pytest.raises(ImportRejected) as caught:
        kpi_values_import(principal=admin_principal, path=path, file_name="bad.csv")
    rows = {r["row"]: " | ".join(r["errors"]) for r in caught.value.details["rows"]}
    assert sorted(rows) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16]
    assert caught.value.details["rejected"] == 13
    for row, words in {3: "không có chỉ số", 4: "kpi_refresh", 5: "chu kỳ", 6: "2025-07",
                       7: "99999", 8: "cấp", 9: "cấp", 10: "không phải số", 11: "không có thật",
                       12: "thiếu value", 13: "300", 15: "dòng 14", 16: "không phải số"}.items():
        assert words in rows[row], (row, rows[row])
    assert not KpiValue.objects.exists() and not KpiRun.objects.exists()


def test_an_xlsx_file_with_vietnamese_headers(tmp_path, admin_principal, units):
    columns = ["ma_chi_so", "ma_don_vi", "ky", "gia_tri", "ghi_chu"]
    data = [["notifiable-disease-cases", "tourist-arrivals"], ["15460", "382"],
            ["2025/09/01", "2025-08"], ["42", "1234567"], ["", "mùa du lịch biển"]]
    path = tmp_path / "so-lieu.xlsx"
    raw.write(str(path), None, [np.array(c, dtype=object) for c in data], columns,
              driver="XLSX")
    report = kpi_values_import(principal=admin_principal, path=path, file_name="so-lieu.xlsx")
    assert report.counts.inserted == 2
    sam_son = KpiValue.objects.get(unit_id=units.by_key[(PRE_REFORM, "382")])
    assert (sam_son.value, sam_son.note, sam_son.period_start) == (1_234_567,
                                                                  "mùa du lịch biển",
                                                                  date(2025, 8, 1))


def test_a_bound_writer_imports_on_its_ground_and_in_its_sectors_only(tmp_path, units,
                                                                      principal_of_role):
    from layers.models import AdminUnit

    inside = AdminUnit.objects.get(pk=units.by_key[(CURRENT, "16531")])
    principal = principal_of_role("sector_operator", units=[inside], sectors=["HEALTH"])
    ok = [("notifiable-disease-cases", "16531", "2025-09", "7", "")]
    assert kpi_values_import(principal=principal, path=csv_file(tmp_path, ok),
                             file_name="a.csv").counts.inserted == 1
    rows = [("notifiable-disease-cases", "14758", "2025-09", "7", ""),  # another commune
            ("dossiers-received", "16531", "2025-09", "7", ""),         # staff data elsewhere
            ("tourist-arrivals", "38", "2025-09", "7", "")]             # public, other sector
    with pytest.raises(ImportRejected) as caught:
        kpi_values_import(principal=principal, path=csv_file(tmp_path, rows), file_name="b.csv")
    reasons = [" ".join(r["errors"]) for r in caught.value.details["rows"]]
    assert "phạm vi quản lý" in reasons[0] and "không có chỉ số" in reasons[1]
    assert "lĩnh vực" in reasons[2]


@pytest.mark.parametrize("role", ["province_leader", "planner", "unit_official", "field_staff",
                                  "wall_display", "citizen"])
def test_readers_may_not_import(tmp_path, principal_of_role, role):
    with pytest.raises(ImportForbidden):
        kpi_values_import(principal=principal_of_role(role, units="province"),
                          path=csv_file(tmp_path, GOOD), file_name="a.csv")


@pytest.mark.parametrize("content, words", [
    (b"\x00\x01binary", "CSV hoặc XLSX"), (b"kpi;unit\nx;y\n", "period"),
    (b"kpi,unit,period,value\n", "không có dòng")])
def test_a_file_that_is_no_kpi_table_is_refused(tmp_path, admin_principal, content, words):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFileInvalid, match=words):
        kpi_values_import(principal=admin_principal, path=path, file_name="x.csv")


def test_the_api_imports_a_file_and_reports_bad_rows(api_as, tmp_path):
    client = api_as("administrator", units="province")
    with open(csv_file(tmp_path, GOOD), "rb") as handle:
        created = client.post("/api/kpi/values/import/", {"file": handle}, format="multipart")
    assert created.status_code == 201, created.content
    assert {k: created.json()[k] for k in ("rows", "inserted", "updated")} == {
        "rows": 7, "inserted": 7, "updated": 0}
    with open(csv_file(tmp_path, [GOOD[0], BAD[0]]), "rb") as handle:
        refused = client.post("/api/kpi/values/import/", {"file": handle}, format="multipart")
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "kpi_import_rejected"
    assert error["details"]["rows"] == [{"row": 3, "errors": ["không có chỉ số “khong-co”"]}]
    empty = client.post("/api/kpi/values/import/", {}, format="multipart")
    assert empty.status_code == 400 and empty.json()["error"]["code"] == "invalid"


def test_the_api_refuses_a_file_over_the_cap(api_as, tmp_path, settings):
    settings.IOC_KPI_IMPORT_MAX_BYTES = 100
    client = api_as("administrator", units="province")
    with open(csv_file(tmp_path, GOOD), "rb") as handle:
        answer = client.post("/api/kpi/values/import/", {"file": handle}, format="multipart")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "kpi_import_file_invalid"


def test_the_command_imports_and_prints_the_bad_rows(tmp_path, capsys):
    call_command("kpi_import", str(csv_file(tmp_path, GOOD)))
    assert "thêm 7" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("kpi_import", str(csv_file(tmp_path, [GOOD[0], BAD[1]])))
    assert "dòng 3" in capsys.readouterr().err
    assert KpiValue.objects.count() == 7
