"""Reading a stored upload into columns and geometries. GDAL (through pyogrio) opens only files
we named, with a driver from the allow-list, checked again after opening; CSV and JSON records
(a REST endpoint's list of objects, pulled by a connector) are parsed by Python. Text is decoded
with the declared encoding (.cpg or the connector's), else UTF-8."""
import codecs
import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from pyogrio import raw
from pyogrio.errors import DataLayerError, DataSourceError

from . import conf
from .errors import ImportFileError, UnknownEncoding, WrongFormat

# The drivers GDAL may report for each sniffed format (KML: whichever KML driver is built in).
ALLOWED_DRIVERS = {"GPKG": {"GPKG"}, "ESRI Shapefile": {"ESRI Shapefile"},
                   "GeoJSON": {"GeoJSON"}, "KML": {"KML", "LIBKML"}, "XLSX": {"XLSX"}}
OPEN_OPTIONS = {"XLSX": {"HEADERS": "FORCE", "FIELD_TYPES": "STRING"}}
CSV_DELIMITERS = ",;\t|"
# JSON records: nested objects become dotted columns ("toa_do.lon") down to this depth; deeper
# objects and lists are kept as JSON text.
JSON_FLATTEN_DEPTH = 3


@dataclass
class SourceTable:
    """What a file holds: columns of Python values and, for spatial formats, geometries."""

    columns: dict[str, list] = field(default_factory=dict)
    geometries: np.ndarray | None = None  # shapely geometries (None where missing)
    crs: str | None = None
    geometry_type: str | None = None
    count: int = 0

    def column(self, name: str) -> list | None:
        """A column by name, ignoring case (Shapefile columns are often upper-cased)."""
        if name in self.columns:
            return self.columns[name]
        by_lower = {key.lower(): key for key in self.columns}
        key = by_lower.get(name.lower())
        return self.columns[key] if key is not None else None


def codec_for(label: str) -> str:
    """Python's name for an encoding label (`UTF-8`, `1258`, `windows-1258`, `CP1258`, …)."""
    text = label.strip().lower().replace("_", "-")
    text = {"65001": "utf-8", "ansi 1258": "cp1258"}.get(text, text)
    try:
        info = codecs.lookup(text)
    except LookupError:
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise UnknownEncoding(f"Bảng mã “{label.strip()[:40]}” không xác định: dùng UTF-8 hoặc "
                              "windows-1258 (khai báo trong tệp .cpg).")
    return info.name


def source_read(path: Path, driver: str, *, encoding: str = "",
                records_path: str = "") -> SourceTable:
    """Read a stored upload (`driver` as sniffed; "JSON" for records) into a SourceTable."""
    if driver == "CSV":
        return _read_csv(path, encoding)
    if driver == "JSON":
        return read_json_records(path.read_bytes(), records_path)
    if driver not in ALLOWED_DRIVERS:
        raise WrongFormat(f"Định dạng {driver} không được phép.")
    return _read_gdal(path, driver, encoding)


def _read_gdal(path: Path, driver: str, encoding: str) -> SourceTable:
    options = dict(OPEN_OPTIONS.get(driver, {}))
    text_codec = None
    if driver == "ESRI Shapefile":
        # GDAL's own CP1258 decoding (iconv) drops the last letter of every value: read the
        # bytes undecoded (pyogrio hands them over as ISO-8859-1) and decode them here.
        cpg = path.with_suffix(".cpg")
        label = cpg.read_bytes()[:64].decode("ascii", "replace") if cpg.exists() else ""
        text_codec = codec_for(label or encoding or "utf-8")
        options["ENCODING"] = ""
    try:
        info = pyogrio.read_info(str(path), **options)
        if info.get("driver") not in ALLOWED_DRIVERS[driver]:
            raise WrongFormat(f"Tệp được nhận là {info.get('driver')}, không phải {driver}.")
        _check_rows(info.get("features") or 0)
        meta, _, wkb, values = raw.read(str(path), force_2d=True, datetime_as_string=True,
                                        **options)
    except UnicodeDecodeError as exc:
        raise UnknownEncoding("Không đọc được chữ trong tệp: lưu lại dưới dạng UTF-8.") from exc
    except (DataSourceError, DataLayerError) as exc:
        raise WrongFormat(f"Không đọc được tệp {driver}: {_first_line(exc)}") from exc
    names = list(meta["fields"])
    if text_codec and (meta.get("encoding") or "").upper() in ("ISO-8859-1", "LATIN1"):
        names = [_recode(name, text_codec) for name in names]
        values = [_recode_column(column, text_codec) for column in values]
    columns = {name: _python_list(column) for name, column in zip(names, values)}
    count = len(wkb) if wkb is not None else (len(values[0]) if values else 0)
    geometries = None
    if wkb is not None and driver != "XLSX":
        geometries = shapely.from_wkb(wkb, on_invalid="ignore")
    return SourceTable(columns, geometries, meta.get("crs"), meta.get("geometry_type"), count)


def _recode(text, codec: str):
    if not isinstance(text, str):
        return text
    try:
        return text.encode("latin-1").decode(codec)
    except UnicodeDecodeError as exc:
        raise UnknownEncoding(f"Chữ trong tệp không phải bảng mã {codec.upper()} (“"
                              f"{text[:40]}”): khai báo đúng bảng mã trong tệp .cpg (UTF-8, "
                              "1258…).") from exc


def _recode_column(column: np.ndarray, codec: str) -> np.ndarray:
    if column.dtype != object:
        return column
    return np.array([_recode(value, codec) for value in column.tolist()], dtype=object)


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__


def _python_list(column: np.ndarray) -> list:
    if column.dtype.kind == "f":
        return [None if v != v else v for v in column.tolist()]  # NaN → missing
    return column.tolist()


def _check_rows(count: int) -> None:
    cap = conf.get("IOC_IMPORT_MAX_ROWS")
    if count > cap:
        raise ImportFileError(f"Tệp có {count:,} dòng, vượt giới hạn {cap:,} dòng mỗi lượt.")


def _decode(data: bytes, encoding: str) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    name = codec_for(encoding or "utf-8")
    try:
        return data.decode(name)
    except UnicodeDecodeError as exc:
        raise UnknownEncoding(f"Tệp CSV không phải {name.upper()} (byte lạ ở vị trí "
                              f"{exc.start}): lưu lại dưới dạng CSV UTF-8 hoặc khai báo bảng mã "
                              "của kết nối.") from exc


def _read_csv(path: Path, encoding: str) -> SourceTable:
    text = _decode(path.read_bytes(), encoding)
    try:
        dialect = csv.Sniffer().sniff(text[:16384], delimiters=CSV_DELIMITERS)
    except csv.Error:
        dialect = csv.excel
    rows = csv.reader(io.StringIO(text, newline=""), dialect)
    header = [name.strip() for name in next(rows, [])]
    if not header or any(not name for name in header) or len(set(header)) != len(header):
        raise WrongFormat("Dòng đầu của tệp CSV phải là tên cột, không trống, không trùng.")
    data: list[list] = [[] for _ in header]
    count = 0
    try:
        body = list(rows)
    except csv.Error as exc:
        raise WrongFormat(f"Tệp CSV hỏng: {exc}") from exc
    while body and not any(cell.strip() for cell in body[-1]):
        body.pop()  # trailing blank lines; blank lines inside keep their row numbers
    for row in body:
        count += 1
        for index, column in enumerate(data):
            column.append(row[index] if index < len(row) else None)
    _check_rows(count)
    return SourceTable(dict(zip(header, data)), None, None, None, count)


def read_json_records(data: bytes, records_path: str = "") -> SourceTable:
    """A JSON document's records — the list at `records_path` (dotted keys, e.g.
    `data.items`; empty: the document itself) — as columns, one per key seen in any record,
    in order of first appearance; nested objects flattened to dotted names."""
    try:
        document = json.loads(data)
    except RecursionError as exc:
        raise WrongFormat("Tài liệu JSON lồng nhau quá sâu.") from exc
    except ValueError as exc:
        raise WrongFormat(f"Tài liệu JSON không hợp lệ: {_first_line(exc)}") from exc
    records = _records_at(document, records_path)
    _check_rows(len(records))
    flat = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise WrongFormat(f"Bản ghi thứ {number} tại “{records_path or '(gốc)'}” không "
                              f"phải một đối tượng JSON ({type(record).__name__}).")
        flat.append(_flatten(record, "", JSON_FLATTEN_DEPTH))
    names = list(dict.fromkeys(name for row in flat for name in row))
    columns = {name: [row.get(name) for row in flat] for name in names}
    return SourceTable(columns, None, None, None, len(flat))


def _records_at(document, records_path: str) -> list:
    node, walked = document, []
    for key in records_path.split(".") if records_path else []:
        walked.append(key)
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            keys = ", ".join(list(node)[:20]) if isinstance(node, dict) else type(node).__name__
            raise WrongFormat(f"Không có “{'.'.join(walked)}” trong tài liệu JSON (đường dẫn "
                              f"bản ghi “{records_path}”; ở đó có: {keys or 'không có khóa'}).")
    if not isinstance(node, list):
        found = f"các khóa {', '.join(list(node)[:20])}" if isinstance(node, dict) else \
            type(node).__name__
        raise WrongFormat(f"Tại “{records_path or '(gốc)'}” không phải danh sách bản ghi mà là "
                          f"{found}: đặt đường dẫn bản ghi của kết nối (ví dụ data.items).")
    return node


def _flatten(record: dict, prefix: str, depth: int) -> dict:
    out = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and depth > 1:
            out.update(_flatten(value, f"{name}.", depth - 1))
        elif isinstance(value, (dict, list)):
            out[name] = json.dumps(value, ensure_ascii=False)
        else:
            out[name] = value
    return out
