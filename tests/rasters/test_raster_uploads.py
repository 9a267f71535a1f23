"""Uploads: POST /api/rasters/ (multipart) and `manage.py import_raster` go through one
service. A good GeoTIFF becomes a raster layer with its COG and, after the commit, its zonal
statistics; every refused file is a 4xx in the API's error format and leaves no row and no
file; only those who may add layers, in the raster's sector, may upload."""
import io

import numpy as np
import pytest
import rasterio
from django.core.management import CommandError, call_command
from rasterio.transform import from_origin

from rasters.models import RasterLayer, ZonalStat, ZonalStatus
from tests.rasters.conftest import UTM, geotiff_bytes, upload, utm_grid

pytestmark = pytest.mark.django_db

GOOD = np.arange(40 * 30, dtype=np.float32).reshape(30, 40)


def form(data: bytes, name: str = "ngap.tif", **overrides) -> dict:
    fields = {"slug": "ngap-thu", "title_vi": "Ngập thử", "title_en": "Test flood",
              "sector": "SOCIO_ECONOMIC", "value_kind": "DENSITY",
              "value_description_vi": "Người trên km²", "value_unit": "người/km²",
              "ramp": "ylorrd", "ramp_stops": "0,100,200,300,400",
              "owner_department": "Sở thử nghiệm", "is_public": "true"}
    fields.update(overrides)
    return {"file": upload(data, name), **fields}


def good_tiff(**kwargs) -> bytes:
    return geotiff_bytes(GOOD, crs=UTM, transform=utm_grid(), nodata=-1, **kwargs)


def nothing_written(raster_dir) -> bool:
    files = [p for p in raster_dir.rglob("*") if p.is_file()] if raster_dir.exists() else []
    return not RasterLayer.objects.exists() and files == []


@pytest.fixture
def admin_client(api_client, make_user):
    """An administrator, signed in with the second factor done."""
    api_client.force_authenticate(make_user("administrator"))
    return api_client


def test_upload_creates_the_layer_then_its_zonal_statistics(
        admin_client, raster_dir, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post("/api/rasters/", form(good_tiff()))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "ngap-thu" and body["crs"] == "EPSG:32648"
    assert body["width"] == 40 and body["height"] == 30 and body["is_public"] is True
    assert body["band"]["valid_cells"] == 1200  # values 0 … 1199; none is nodata (-1)
    assert body["tiles"] == "/tiles/raster/ngap-thu/{z}/{x}/{y}.png"
    assert len(callbacks) == 1  # the zonal statistics: queued after the commit
    raster = RasterLayer.objects.get(slug="ngap-thu")
    assert raster.zonal_status == ZonalStatus.DONE
    assert ZonalStat.objects.filter(raster=raster, generation="current").exists()
    assert ZonalStat.objects.filter(raster=raster, generation="pre2025").exists()
    assert sorted(p.name for p in raster_dir.rglob("*") if p.is_file()) == [raster.file_name]
    listed = admin_client.get("/api/rasters/").json()
    assert [r["slug"] for r in listed["results"]] == ["ngap-thu"]
    assert "file_name" not in listed["results"][0]  # the stored path never leaves


def _vrt() -> bytes:
    return (b'<VRTDataset rasterXSize="1" rasterYSize="1"><VRTRasterBand dataType="Byte" '
            b'band="1"><SimpleSource><SourceFilename>/etc/passwd</SourceFilename>'
            b'</SimpleSource></VRTRasterBand></VRTDataset>')


def _deflated() -> bytes:
    """A compressed GeoTIFF whose last strips are cut off (GDAL opens it, reading fails)."""
    noise = np.random.default_rng(1).random((300, 300)).astype(np.float32)
    with rasterio.MemoryFile() as memory:
        with memory.open(driver="GTiff", width=300, height=300, count=1, dtype="float32",
                         crs=UTM, transform=utm_grid(100), compress="deflate") as out:
            out.write(noise, 1)
        return memory.read()


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


BAD_FILES = {
    "not a TIFF": (lambda: _png(), "anh.tif", "wrong_format"),
    "empty": (lambda: b"", "rong.tif", "invalid"),
    "a VRT": (_vrt, "nguon.tif", "forbidden_source"),
    "named .vrt": (good_tiff, "nguon.vrt", "forbidden_source"),
    "TIFF magic, broken body": (lambda: b"II*\x00" + b"\x00" * 200, "hong.tif", "wrong_format"),
    "truncated TIFF": (lambda: _deflated()[:-3000], "cut.tif", "wrong_format"),
    "no CRS": (lambda: geotiff_bytes(GOOD, crs=None, transform=utm_grid()), "a.tif",
               "raster_no_crs"),
    "no georeferencing": (lambda: geotiff_bytes(GOOD, crs=None, transform=from_origin(0, 0, 1,
                                                                                       -1)),
                          "a.tif", "raster_no_crs"),
    "outside the province": (lambda: geotiff_bytes(
        GOOD, crs="EPSG:4326", transform=from_origin(105.7, 21.1, 0.001, 0.001)), "hn.tif",
        "raster_outside_province"),
    "two bands": (lambda: good_tiff(count=2), "a.tif", "raster_unsupported"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_are_refused_and_nothing_is_written(admin_client, raster_dir, case):
    data, name, code = BAD_FILES[case]
    response = admin_client.post("/api/rasters/", form(data(), name))
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == code
    assert nothing_written(raster_dir)


def test_too_big_by_bytes_and_by_cells(admin_client, raster_dir, settings):
    settings.IOC_RASTER_MAX_UPLOAD_BYTES = 2000
    response = admin_client.post("/api/rasters/", form(good_tiff()))
    assert response.status_code == 400 and response.json()["error"]["code"] == "upload_too_large"
    settings.IOC_RASTER_MAX_UPLOAD_BYTES = 10_000_000
    settings.IOC_RASTER_MAX_CELLS = 1000
    response = admin_client.post("/api/rasters/", form(good_tiff()))
    assert response.status_code == 400 and response.json()["error"]["code"] == "upload_too_large"
    assert nothing_written(raster_dir)


@pytest.mark.parametrize("overrides, status, code", [
    ({"slug": "incidents"}, 409, "raster_slug_taken"),   # a vector layer's slug
    ({"slug": "raster"}, 400, "invalid"),                # reserved
    ({"slug": "Ngap Thu"}, 400, "invalid"),
    ({"ramp": "cau-vong"}, 400, "invalid"),
    ({"ramp_stops": "0,100,200"}, 400, "invalid"),       # ylorrd has 5 colours
    ({"ramp_stops": "0,100,50,300,400"}, 400, "invalid"),
    ({"ramp_stops": "0,1,2,3,nan"}, 400, "invalid"),
    ({"sector": "NOPE"}, 400, "invalid"),
    ({"nodata": "inf"}, 400, "invalid"),
])
def test_bad_fields_are_refused(admin_client, raster_dir, overrides, status, code):
    response = admin_client.post("/api/rasters/", form(good_tiff(), **overrides))
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert nothing_written(raster_dir)


def test_the_uploaders_nodata_applies(admin_client):
    data = np.full((30, 40), 5, dtype=np.int16)
    data[:10] = 0
    tiff = geotiff_bytes(data, crs=UTM, transform=utm_grid())  # no nodata in the file
    response = admin_client.post("/api/rasters/", form(tiff, nodata="0", value_kind="LEVEL"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["nodata"] == 0 and body["band"]["valid_cells"] == 20 * 40
    assert body["band"]["min"] == body["band"]["max"] == 5


def test_a_slug_is_taken_once(admin_client, raster_dir):
    assert admin_client.post("/api/rasters/", form(good_tiff())).status_code == 201
    again = admin_client.post("/api/rasters/", form(good_tiff()))
    assert again.status_code == 409 and again.json()["error"]["code"] == "raster_slug_taken"
    with pytest.raises(CommandError, match="/vsi"):  # GDAL's indirections never reach it
        call_command("import_raster", "/vsicurl/http://127.0.0.1:9/a.tif", "--slug", "vsi-lenh",
                     "--title-vi", "x", "--title-en", "x", "--sector", "SOCIO_ECONOMIC",
                     "--value-kind", "LEVEL", "--value-description", "x", "--ramp", "flood",
                     "--stops", "1,2,3", "--owner-department", "x")
    assert RasterLayer.objects.count() == 1
    assert len([p for p in raster_dir.rglob("*") if p.is_file()]) == 1


def test_a_failed_insert_leaves_no_file(admin_client, raster_dir, monkeypatch):
    """The row cannot be written (here: a database error at insert): the COG goes too."""
    from django.db import IntegrityError

    def refuse(*args, **kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(RasterLayer.objects, "create", refuse)
    with pytest.raises(IntegrityError):
        admin_client.post("/api/rasters/", form(good_tiff()))
    assert nothing_written(raster_dir)


@pytest.mark.parametrize("role, sectors, status", [
    ("sector_operator", ["SOCIO_ECONOMIC"], 403),  # edits features, does not add layers
    ("province_leader", None, 403),
    ("citizen", None, 403),
])
def test_only_those_who_may_add_layers_upload(api_client, make_user, raster_dir, role, sectors,
                                              status):
    api_client.force_authenticate(make_user(role, sectors=sectors))
    response = api_client.post("/api/rasters/", form(good_tiff()))
    assert response.status_code == status
    assert response.json()["error"]["code"] == "raster_write_forbidden"
    assert nothing_written(raster_dir)


def test_anonymous_and_other_sector_are_refused(api_client, make_user, raster_dir):
    assert api_client.post("/api/rasters/", form(good_tiff())).status_code == 403
    api_client.force_authenticate(make_user("administrator", sectors=["HEALTH"]))
    response = api_client.post("/api/rasters/", form(good_tiff()))
    assert response.status_code == 403
    assert nothing_written(raster_dir)


def test_a_token_needs_the_write_scope_of_the_slug(client, make_user, raster_dir):
    from datetime import timedelta

    from django.utils import timezone

    from access.services import api_token_create

    user = make_user("administrator")
    expires = timezone.now() + timedelta(days=1)
    _, read_key = api_token_create(name="doc", user=user, scopes=["layers:read"],
                                   expires_at=expires)
    refused = client.post("/api/rasters/", form(good_tiff()),
                          HTTP_AUTHORIZATION=f"Token {read_key}")
    assert refused.status_code == 403
    _, write_key = api_token_create(name="ghi", user=user, expires_at=expires,
                                    scopes=["layers:read", "layers:write:ngap-thu"])
    accepted = client.post("/api/rasters/", form(good_tiff()),
                           HTTP_AUTHORIZATION=f"Token {write_key}")
    assert accepted.status_code == 201, accepted.content
    assert nothing_written(raster_dir) is False


def test_the_command_imports_with_statistics(tmp_path, raster_dir, capsys):
    source = tmp_path / "dan-so.tif"
    source.write_bytes(good_tiff())
    call_command("import_raster", str(source), "--slug", "dan-so-lenh", "--title-vi", "Dân số",
                 "--title-en", "Population", "--sector", "SOCIO_ECONOMIC", "--value-kind",
                 "COUNT", "--value-description", "Người trong ô", "--ramp", "ylorrd",
                 "--stops", "0,10,20,30,40", "--owner-department", "Cục Thống kê",
                 "--no-progress")
    raster = RasterLayer.objects.get(slug="dan-so-lenh")
    assert raster.zonal_status == ZonalStatus.DONE and raster.is_public is False
    assert "thống kê theo đơn vị" in capsys.readouterr().out
    vrt = tmp_path / "a.vrt"
    vrt.write_bytes(_vrt())
    with pytest.raises(CommandError, match="VRT"):
        call_command("import_raster", str(vrt), "--slug", "vrt-lenh", "--title-vi", "x",
                     "--title-en", "x", "--sector", "SOCIO_ECONOMIC", "--value-kind", "LEVEL",
                     "--value-description", "x", "--ramp", "flood", "--stops", "1,2,3",
                     "--owner-department", "x")
    with pytest.raises(CommandError, match="/vsi"):  # GDAL's indirections never reach it
        call_command("import_raster", "/vsicurl/http://127.0.0.1:9/a.tif", "--slug", "vsi-lenh",
                     "--title-vi", "x", "--title-en", "x", "--sector", "SOCIO_ECONOMIC",
                     "--value-kind", "LEVEL", "--value-description", "x", "--ramp", "flood",
                     "--stops", "1,2,3", "--owner-department", "x")
    assert RasterLayer.objects.count() == 1
