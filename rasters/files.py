"""Safe handling of raster files: an upload is copied (size-capped) to a generated name in a
fresh directory, sniffed from its bytes (TIFF or BigTIFF magic only), opened by GDAL's GTiff
driver alone (never VRT, never a /vsi… path, never a name a user chose) with sidecar discovery
off, and written as a Cloud-Optimised GeoTIFF by GDAL's COG driver.

GDAL follows VRT and /vsi references by design (shared PITFALLS.md): only paths we built reach
it, and only the GTiff driver may open them."""
import hashlib
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import rasterio
import rasterio.shutil

from ioc_gis.uploads import COPY_CHUNK, OverCap, copy_capped

from . import conf
from .errors import RasterForbiddenSource, RasterTooLarge, RasterWrongFormat

TIFF_MAGIC = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")  # TIFF and BigTIFF, both orders
# No directory listing (no .aux.xml/.ovr/.msk sidecars found or read), no PAM files written,
# no network access from inside a file.
GDAL_SAFE = {"GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR", "GDAL_PAM_ENABLED": "NO",
             "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".none", "GDAL_HTTP_TIMEOUT": "1",
             "GTIFF_REPORT_COMPD_CS": "NO"}
COG_OPTIONS = {"BLOCKSIZE": 256, "COMPRESS": "DEFLATE", "PREDICTOR": "YES", "BIGTIFF": "IF_SAFER",
               "OVERVIEWS": "AUTO"}


@contextmanager
def gdal_env():
    """The GDAL configuration every raster open of ours runs under."""
    with rasterio.Env(**GDAL_SAFE):
        yield


def name_check(file_name: str) -> None:
    """Refuse names that try GDAL's indirections or plainly announce another format."""
    lowered = (file_name or "").strip().lower()
    if "/vsi" in lowered or lowered.startswith(("vsi", "http:", "https:", "ftp:")):
        raise RasterForbiddenSource(f"Tên tệp “{file_name}” trỏ tới nguồn khác (/vsi…, URL): "
                                    "chỉ nhận tệp tải lên.")
    if lowered.endswith(".vrt"):
        raise RasterForbiddenSource("Tệp VRT (tham chiếu tới tệp khác) không được chấp nhận.")


def sniff(head: bytes) -> None:
    """Accept TIFF/BigTIFF bytes only; name VRTs, PNG/JPEG and empties for what they are."""
    if head.startswith(TIFF_MAGIC):
        return
    if not head:
        raise RasterWrongFormat("Tệp rỗng.")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<") and b"<vrtdataset" in text:
        raise RasterForbiddenSource("Tệp VRT (tham chiếu tới tệp khác) không được chấp nhận.")
    raise RasterWrongFormat("Không phải tệp GeoTIFF (chỉ nhận GeoTIFF/BigTIFF).")


def too_large(size: int, cap: int) -> str:
    return f"Tệp {size / 1e6:.1f} MB vượt giới hạn {cap / 1e6:.0f} MB."


@contextmanager
def scratch_dir():
    """A fresh generated directory for one upload, removed whatever happens."""
    directory = conf.raster_dir() / "tmp" / uuid.uuid4().hex
    directory.mkdir(parents=True)
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def upload_copy(*, source: BinaryIO, directory: Path) -> Path:
    """Copy an upload to `directory/source.tif` under the byte cap, sniffing its first bytes."""
    cap = conf.get("IOC_RASTER_MAX_UPLOAD_BYTES")
    target = directory / "source.tif"
    try:
        written = copy_capped(source, target, cap, head_check=lambda head: sniff(head[:16]))
    except OverCap as exc:
        raise RasterTooLarge(too_large(exc.written, cap)) from None
    if written == 0:
        raise RasterWrongFormat("Tệp rỗng.")
    return target


def open_geotiff(path: Path, mode: str = "r"):
    """Open a file we stored with the GTiff driver only (a RasterWrongFormat if it cannot)."""
    try:
        return rasterio.open(path, mode, driver="GTiff")
    except rasterio.errors.RasterioIOError as exc:
        raise RasterWrongFormat(f"GDAL không đọc được tệp GeoTIFF: {exc}") from exc


def cog_write(*, source: Path, target: Path, resampling: str) -> None:
    """Write `source` as a COG: 256-pixel tiles, DEFLATE, overviews down to one tile."""
    with open_geotiff(source) as dataset:
        rasterio.shutil.copy(dataset, target, driver="COG", OVERVIEW_RESAMPLING=resampling,
                             RESAMPLING=resampling, **COG_OPTIONS)


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(COPY_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def stored_path(file_name: str) -> Path:
    """The path of a stored COG from its generated name (names never come from a request)."""
    return conf.raster_dir() / file_name
