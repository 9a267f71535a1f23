"""The bad-file table: each refused upload gets a clear message and nothing is written —
refused at upload (4xx, no run, nothing left on disk) or by a failed run."""
import stat
import zipfile

import pytest

from integration.errors import (ForbiddenSource, IncompleteShapefile,
                                UnsafeArchive, UploadTooLarge, WrongFormat)
from integration.models import ImportRun, RunStatus
from layers.models import Feature
from tests.integration.conftest import (HANOI, _windows_1258, csv_bytes, geojson, rows, run_file, start,
                                        write_ogr, zip_files, zipped_shapefile)

pytestmark = pytest.mark.django_db


def refused(connector, path, error, words: str, name: str | None = None):
    with pytest.raises(error) as caught:
        start(connector, path, name=name)
    assert words in caught.value.message, caught.value.message
    assert not ImportRun.objects.exists()
    assert not any(p.is_file() for p in (path.parent / "imports").rglob("*"))


def failed(run, words: str) -> None:
    assert run.status == RunStatus.FAILED
    assert words in run.message, run.message
    assert (run.rows_inserted, run.rows_updated) == (0, 0)
    assert not Feature.objects.filter(layer=run.connector.layer).exists()


def test_wrong_format(connector, tmp_path):
    path = tmp_path / "anh.geojson"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    refused(connector, path, WrongFormat, "không được hỗ trợ")


def test_text_that_is_no_csv_by_name(connector, tmp_path):
    path = tmp_path / "ghi-chu.docx"
    path.write_text("xin chào")
    refused(connector, path, WrongFormat, "không được hỗ trợ")


def test_sqlite_that_is_no_geopackage(connector, tmp_path):
    import sqlite3

    path = tmp_path / "x.gpkg"
    sqlite3.connect(path).execute("CREATE TABLE t (a)").connection.commit()
    refused(connector, path, WrongFormat, "không phải GeoPackage")


@pytest.mark.parametrize("keep", [("shp", "dbf", "prj"), ("shp", "shx")])
def test_zip_without_shx_or_dbf(connector, tmp_path, keep):
    full = zipped_shapefile(tmp_path, rows(), "tram")
    with zipfile.ZipFile(full) as archive:
        parts = {n: archive.read(n) for n in archive.namelist() if n.split(".")[-1] in keep}
    path = zip_files(tmp_path / "thieu.zip", parts)
    refused(connector, path, IncompleteShapefile, "thiếu")


def test_bare_shp(connector, tmp_path):
    write_ogr(tmp_path / "x.shp", rows(), "ESRI Shapefile")
    refused(connector, tmp_path / "x.shp", IncompleteShapefile, ".zip")


def test_unknown_encoding_in_cpg(connector, tmp_path):
    path = zipped_shapefile(tmp_path, rows(), "tram", recode="cp1258", cpg="KLINGON-7")
    failed(run_file(connector, path), "không xác định")


def test_undeclared_windows_1258_is_not_taken_for_utf8(connector, tmp_path):
    path = zipped_shapefile(tmp_path, rows(), "tram", recode="cp1258", cpg="")
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist() if not n.endswith(".cpg")}
    path = zip_files(tmp_path / "khong-cpg.zip", parts)
    failed(run_file(connector, path), "bảng mã")


def test_csv_not_in_utf8(connector, tmp_path):
    connector.lon_column, connector.lat_column = "lon", "lat"
    connector.save()
    path = tmp_path / "tram.csv"
    path.write_bytes(_windows_1258(csv_bytes(rows()).decode("utf-8-sig")))
    failed(run_file(connector, path), "UTF-8")


def test_geometry_type_mismatch(connector, tmp_path):
    import shapely

    lines = shapely.linestrings([[(105.9, 19.74), (105.91, 19.75)]] * 4)
    path = write_ogr(tmp_path / "duong.gpkg", rows(), "GPKG", geometries=lines)
    failed(run_file(connector, path), "LineString")


def test_coordinates_outside_thanh_hoa(connector, tmp_path):
    data = [{**r, "lon": HANOI[0], "lat": HANOI[1]} for r in rows()]
    path = tmp_path / "ha-noi.geojson"
    path.write_bytes(geojson(data))
    run = run_file(connector, path)
    failed(run, "ngoài tỉnh Thanh Hóa")
    assert run.rows_rejected == 4 and run.rejected_rows.count() == 4  # the report stays


def test_lat_lon_swapped_is_outside_too(connector, tmp_path):
    data = [{**r, "lon": r["lat"], "lat": r["lon"]} for r in rows()]
    path = tmp_path / "dao.geojson"
    path.write_bytes(geojson(data))
    failed(run_file(connector, path), "kiểm tra hệ tọa độ")


def _bomb(path, size: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("tram.geojson", b" " * size)


def test_zip_bomb_by_ratio(connector, tmp_path):
    _bomb(tmp_path / "bom.zip", 20 * 1024 * 1024)  # ~1,000:1
    refused(connector, tmp_path / "bom.zip", UnsafeArchive, "bom zip")


def test_zip_bomb_by_total_size(connector, tmp_path, settings):
    settings.IOC_IMPORT_MAX_UNCOMPRESSED_BYTES = 5 * 1024 * 1024
    settings.IOC_IMPORT_MAX_ZIP_RATIO = 10_000
    _bomb(tmp_path / "bom.zip", 6 * 1024 * 1024)
    refused(connector, tmp_path / "bom.zip", UnsafeArchive, "vượt giới hạn")


def test_too_many_members(connector, tmp_path):
    path = zip_files(tmp_path / "nhieu.zip", {f"{i}.txt": b"x" for i in range(60)})
    refused(connector, path, UnsafeArchive, "thành phần")


@pytest.mark.parametrize("member, words", [
    ("../../etc/tram.geojson", "(..)"), ("/tmp/tram.geojson", "tuyệt đối"),
    ("C:\\tram.geojson", "tuyệt đối"), ("tram.vrt", "VRT"),
    ("/vsicurl/http/tram.geojson", "tuyệt đối"), ("a/vsicurl_x.geojson", "/vsi")])
def test_dangerous_member_names(connector, tmp_path, member, words):
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo(member), geojson(rows()))
    error = ForbiddenSource if words in ("VRT", "/vsi") else UnsafeArchive
    refused(connector, path, error, words)


def test_symlink_member(connector, tmp_path):
    path = tmp_path / "link.zip"
    info = zipfile.ZipInfo("tram.geojson")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(info, "/etc/passwd")
    refused(connector, path, UnsafeArchive, "symlink")


def test_vrt_inside_a_zip_and_alone(connector, tmp_path):
    vrt = (b'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/vsicurl/http://example.com/'
           b'a.csv</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>')
    refused(connector, zip_files(tmp_path / "v.zip", {"tram.vrt": vrt}), ForbiddenSource, "VRT")
    (tmp_path / "tram.xml").write_bytes(vrt)
    refused(connector, tmp_path / "tram.xml", ForbiddenSource, "VRT")


def test_a_vsicurl_file_name(connector, tmp_path):
    path = tmp_path / "tram.geojson"
    path.write_bytes(geojson(rows()))
    refused(connector, path, ForbiddenSource, "/vsi", name="/vsicurl/http://example.com/a.json")


def test_oversized_upload(connector, tmp_path, settings):
    settings.IOC_IMPORT_MAX_UPLOAD_BYTES = 1000
    path = tmp_path / "tram.geojson"
    path.write_bytes(geojson(rows(20)))
    refused(connector, path, UploadTooLarge, "vượt giới hạn")


def test_oversized_upload_without_a_declared_size(connector, tmp_path, settings):
    from integration.services import import_run_start

    settings.IOC_IMPORT_MAX_UPLOAD_BYTES = 1000
    path = tmp_path / "tram.geojson"
    path.write_bytes(geojson(rows(20)))
    with path.open("rb") as handle, pytest.raises(UploadTooLarge):
        import_run_start(connector=connector, principal=None, file=handle,
                         file_name="tram.geojson", size=None, dispatch=False)
    assert not any(p.is_file() for p in (tmp_path / "imports").rglob("*"))


def test_missing_mapped_column(connector, tmp_path):
    connector.field_mapping = {**connector.field_mapping, "phone": {"source": "dien_thoai"}}
    connector.save()
    path = tmp_path / "tram.geojson"
    path.write_bytes(geojson(rows()))
    failed(run_file(connector, path), "dien_thoai")


def test_connector_crs_refuses_grid_files(connector, tmp_path):
    connector.source_crs = "+proj=longlat +nadgrids=@/etc/passwd"
    connector.save()
    path = tmp_path / "tram.geojson"
    path.write_bytes(geojson(rows()))
    failed(run_file(connector, path), "tệp lưới")
