"""Safe uploads: a size cap, the format sniffed from the bytes (never trusted from the name),
zips inspected before anything is extracted, and every file stored under a name we generate.

Only these GDAL drivers ever open an upload: GPKG, ESRI Shapefile, GeoJSON, KML/LIBKML, XLSX;
CSV is parsed by Python. GDAL only ever sees a path we built (`<imports>/<uuid>/data.<ext>`),
so a VRT, a `/vsi…` prefix or a network URL from the user cannot reach it."""
import shutil
import stat
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from ioc_gis.uploads import COPY_CHUNK, OverCap, copy_capped

from . import conf
from .errors import (ForbiddenSource, IncompleteShapefile, UnsafeArchive, UploadTooLarge,
                     WrongFormat)

EXTENSION_BY_DRIVER = {"GPKG": "gpkg", "ESRI Shapefile": "shp", "GeoJSON": "geojson",
                       "KML": "kml", "CSV": "csv", "XLSX": "xlsx"}
SHAPEFILE_PARTS = {"shp", "shx", "dbf", "prj", "cpg"}
SINGLE_FILE_EXTENSIONS = {"gpkg", "geojson", "json", "kml", "csv", "xlsx"}
FORBIDDEN_EXTENSIONS = {"vrt", "ovr", "zip", "gz", "tar", "7z", "rar"}
GPKG_APPLICATION_IDS = {b"GPKG", b"GP10", b"GP11"}
IGNORED_PREFIXES = ("__MACOSX/",)


@dataclass(frozen=True)
class StoredUpload:
    """An accepted upload: its directory and the file a reader opens, relative to import_dir."""

    directory: Path
    relative_path: str
    driver: str


def name_check(file_name: str) -> None:
    """Refuse names that try GDAL's indirections (a client cannot pass a path through us)."""
    lowered = file_name.strip().lower()
    if "/vsi" in lowered or lowered.startswith(("vsi", "http:", "https:", "ftp:")):
        raise ForbiddenSource(f"Tên tệp “{file_name}” trỏ tới nguồn khác (/vsi…, URL): "
                              "chỉ nhận tệp tải lên.")
    if lowered.endswith(".vrt"):
        raise ForbiddenSource("Tệp VRT (tham chiếu tới tệp khác) không được chấp nhận.")


def upload_store(*, source: BinaryIO, file_name: str, size: int | None) -> StoredUpload:
    """Copy an upload to a new generated directory, sniff and inspect it; the accepted file.

    Raises an ImportFileError subclass (and leaves nothing on disk) when the file is refused."""
    name_check(file_name)
    cap = conf.get("IOC_IMPORT_MAX_UPLOAD_BYTES")
    if size is not None and size > cap:
        raise UploadTooLarge(_too_large(size, cap))
    directory = conf.import_dir() / uuid.uuid4().hex
    directory.mkdir(parents=True)
    try:
        raw = directory / "upload.bin"
        _copy_capped(source, raw, cap)
        driver, main = _accept(raw, directory, file_name)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return StoredUpload(directory, str(main.relative_to(conf.import_dir())), driver)


def _too_large(size: int, cap: int) -> str:
    return f"Tệp {size / 1e6:.1f} MB vượt giới hạn {cap / 1e6:.0f} MB."


def _copy_capped(source: BinaryIO, target: Path, cap: int) -> None:
    try:
        written = copy_capped(source, target, cap)
    except OverCap as exc:
        raise UploadTooLarge(_too_large(exc.written, cap)) from None
    if written == 0:
        raise WrongFormat("Tệp rỗng.")


def sniff(head: bytes, file_name: str) -> str:
    """The format of a file from its first bytes: a driver name, or "ZIP"."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "ZIP"
    if head.startswith(b"SQLite format 3\x00"):
        if head[68:72] in GPKG_APPLICATION_IDS:
            return "GPKG"
        raise WrongFormat("Tệp SQLite nhưng không phải GeoPackage.")
    if head.startswith(b"\x00\x00\x27\x0a"):
        raise IncompleteShapefile("Shapefile phải được nén .zip cùng các tệp .shx và .dbf "
                                  "(và .prj, .cpg nếu có).")
    if b"\x00" in head:
        raise WrongFormat(_unsupported(file_name))
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<"):
        if b"<ogrvrtdatasource" in text:
            raise ForbiddenSource("Tệp VRT (tham chiếu tới tệp khác) không được chấp nhận.")
        if b"<kml" in text:
            return "KML"
        raise WrongFormat(_unsupported(file_name))
    if text.startswith((b"{", b"[")):
        return "GeoJSON"
    if file_name.lower().endswith((".csv", ".txt")):
        return "CSV"
    raise WrongFormat(_unsupported(file_name))


def _unsupported(file_name: str) -> str:
    return (f"Định dạng của “{file_name}” không được hỗ trợ: nhận GeoPackage, Shapefile (.zip), "
            "GeoJSON, KML, CSV, XLSX.")


def _accept(raw: Path, directory: Path, file_name: str) -> tuple[str, Path]:
    with raw.open("rb") as f:
        head = f.read(4096)
    kind = sniff(head, file_name)
    if kind != "ZIP":
        return kind, raw.rename(directory / f"data.{EXTENSION_BY_DRIVER[kind]}")
    with _open_zip(raw) as archive:
        members = zip_inspect(archive)
        if "[content_types].xml" in {m.filename.lower() for m in members} and any(
                m.filename.lower() == "xl/workbook.xml" for m in members):
            archive.close()
            return "XLSX", raw.rename(directory / "data.xlsx")
        main = _extract(archive, members, directory)
    raw.unlink()
    with main.open("rb") as f:
        head = f.read(4096)
    if main.suffix == ".shp":
        return "ESRI Shapefile", main
    kind = sniff(head, main.name)
    if kind in ("ZIP", "XLSX") and main.suffix != ".xlsx" or kind not in EXTENSION_BY_DRIVER:
        raise WrongFormat("Tệp trong .zip không phải định dạng được hỗ trợ.")
    return kind, main.rename(directory / f"data.{EXTENSION_BY_DRIVER[kind]}")


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise WrongFormat(f"Tệp .zip hỏng: {exc}") from exc


def zip_inspect(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """Check every member before extracting anything; the file members worth reading.

    Refuses: too many members, a total uncompressed size or a compression ratio over the caps
    (zip bombs), absolute or `..` names, symbolic links, encrypted members, VRT members."""
    infos = archive.infolist()
    if len(infos) > conf.get("IOC_IMPORT_MAX_ZIP_MEMBERS"):
        raise UnsafeArchive(f"Tệp .zip có {len(infos)} thành phần, vượt giới hạn "
                            f"{conf.get('IOC_IMPORT_MAX_ZIP_MEMBERS')}.")
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if total > conf.get("IOC_IMPORT_MAX_UNCOMPRESSED_BYTES"):
        raise UnsafeArchive(f"Tệp .zip giải nén ra {total / 1e6:.0f} MB, vượt giới hạn "
                            f"{conf.get('IOC_IMPORT_MAX_UNCOMPRESSED_BYTES') / 1e6:.0f} MB.")
    ratio = conf.get("IOC_IMPORT_MAX_ZIP_RATIO")
    if total > 1024 * 1024 and total > ratio * max(packed, 1):
        raise UnsafeArchive(f"Tỷ lệ nén {total / max(packed, 1):.0f}:1 bất thường "
                            f"(giới hạn {ratio}:1): nghi ngờ “bom zip”.")
    for info in infos:
        _member_check(info)
    return [i for i in infos if not i.is_dir() and not i.filename.startswith(IGNORED_PREFIXES)]


def _member_check(info: zipfile.ZipInfo) -> None:
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise UnsafeArchive(f"Thành phần “{info.filename}” có đường dẫn tuyệt đối.")
    if ".." in PurePosixPath(name).parts:
        raise UnsafeArchive(f"Thành phần “{info.filename}” trỏ ra ngoài thư mục (..).")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise UnsafeArchive(f"Thành phần “{info.filename}” là liên kết (symlink).")
    if info.flag_bits & 0x1:
        raise UnsafeArchive(f"Thành phần “{info.filename}” được mã hóa.")
    if name.lower().rsplit(".", 1)[-1] in FORBIDDEN_EXTENSIONS or "/vsi" in name.lower():
        raise ForbiddenSource(f"Thành phần “{info.filename}” không được chấp nhận "
                              "(VRT, tệp nén lồng nhau hoặc tham chiếu /vsi…).")


def _extension(info: zipfile.ZipInfo) -> str:
    return info.filename.rsplit(".", 1)[-1].lower() if "." in info.filename else ""


def _extract(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], directory: Path) -> Path:
    """Extract the one dataset of the zip under generated names; its main file."""
    shps = [m for m in members if _extension(m) == "shp"]
    singles = [m for m in members if _extension(m) in SINGLE_FILE_EXTENSIONS]
    if len(shps) + len(singles) != 1:
        raise WrongFormat("Tệp .zip phải chứa đúng một tập dữ liệu (một Shapefile, GeoPackage, "
                          f"GeoJSON, KML, CSV hoặc XLSX); tìm thấy {len(shps) + len(singles)}.")
    if singles:
        target = directory / f"data.{_extension(singles[0])}"
        _extract_member(archive, singles[0], target)
        return target
    stem = shps[0].filename[:-4].lower()
    parts = {_extension(m): m for m in members
             if m.filename[:-4].lower() == stem and _extension(m) in SHAPEFILE_PARTS}
    missing = [f".{ext}" for ext in ("shx", "dbf") if ext not in parts]
    if missing:
        raise IncompleteShapefile(f"Shapefile thiếu {' và '.join(missing)}: nén .shp, .shx, "
                                  ".dbf (và .prj, .cpg nếu có) vào cùng một tệp .zip.")
    for ext, member in parts.items():
        _extract_member(archive, member, directory / f"data.{ext}")
    return directory / "data.shp"


def _extract_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> None:
    """Copy one member, trusting its declared size no further than that size."""
    left = info.file_size
    try:
        with archive.open(info) as source, target.open("wb") as out:
            while chunk := source.read(min(COPY_CHUNK, left + 1)):
                left -= len(chunk)
                if left < 0:
                    raise UnsafeArchive(f"Thành phần “{info.filename}” lớn hơn kích thước "
                                        "khai báo.")
                out.write(chunk)
    except (zipfile.BadZipFile, NotImplementedError, EOFError) as exc:
        raise WrongFormat(f"Không giải nén được “{info.filename}”: {exc}") from exc
