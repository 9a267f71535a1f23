"""Fixtures for the file connectors: a health-stations point layer with a code list, its
connector, and builders for every accepted format (files are created by the tests)."""
import io
import json
import unicodedata
import zipfile
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyogrio import raw

from integration.models import Connector, ImportRun
from integration.services import import_run_execute, import_run_start
from layers.models import GeometryKind, Sector
from tests.factories import make_layer

STATION_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1, "x-public": True},
        "kind": {"type": "string", "enum": ["BV", "TYT", "PK"], "x-public": True,
                 "x-enum-labels": {"BV": "Bệnh viện", "TYT": "Trạm y tế", "PK": "Phòng khám"}},
        "beds": {"type": "integer", "minimum": 0, "x-public": True},
        "phone": {"type": "string", "x-public": False},
    },
    "required": ["name", "kind"],
    "additionalProperties": False,
}
MAPPING = {"name": {"source": "ten"},
           "kind": {"source": "loai", "values": {"Bệnh viện": "BV", "Trạm y tế": "TYT",
                                                 "Phòng khám": "PK"}},
           "beds": {"source": "giuong"}}
# Points inside Thanh Hóa (Sầm Sơn, TP Thanh Hóa, …) and one in Hà Nội.
INSIDE = [(105.9, 19.74), (105.776, 19.807), (105.85, 19.78), (105.7, 19.9)]
HANOI = (105.84, 21.03)


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    """Uploads of each test land in its own temporary directory."""
    settings.IOC_IMPORT_DIR = tmp_path / "imports"
    return settings.IOC_IMPORT_DIR


@pytest.fixture
def layer(db):
    """A non-public HEALTH point layer of health stations."""
    return make_layer(slug="tram-y-te", sector=Sector.HEALTH, is_public=False,
                      geometry_kind=GeometryKind.POINT, property_schema=STATION_SCHEMA,
                      owner_department="Sở Y tế")


@pytest.fixture
def connector(layer):
    """A file connector onto the layer: id column `ma`, the mapping above."""
    return Connector.objects.create(name="Trạm y tế (Sở Y tế)", layer=layer,
                                    owner_department="Sở Y tế", field_mapping=MAPPING,
                                    id_column="ma")


def rows(n: int = 4, start: int = 0) -> list[dict]:
    """Source rows: Vietnamese names and code-list labels as a department writes them."""
    labels = ["Bệnh viện", "Trạm y tế", "phong kham", "TRẠM Y TẾ"]
    return [{"ma": f"TYT-{i:05d}", "ten": f"Trạm {i} Quảng Tiến", "loai": labels[i % 4],
             "giuong": i % 7, "lon": INSIDE[i % 4][0] + (i % 97) * 1e-5,
             "lat": INSIDE[i % 4][1] + (i % 89) * 1e-5} for i in range(start, start + n)]


def write_ogr(path: Path, data: list[dict], driver: str, *, crs: str = "EPSG:4326",
              geometries=None, encoding: str | None = None) -> Path:
    """A spatial file from rows (geometry from lon/lat unless given)."""
    if geometries is None:
        geometries = shapely.points([r["lon"] for r in data], [r["lat"] for r in data])
    kind = shapely.get_type_id(geometries[0])
    names = ["ma", "ten", "loai", "giuong"]
    fields = [np.array([r[n] for r in data], dtype=object if n != "giuong" else np.int32)
              for n in names]
    raw.write(str(path), shapely.to_wkb(geometries), fields, names, driver=driver,
              geometry_type=["Point", "LineString", "", "Polygon"][kind], crs=crs,
              encoding=encoding)
    return path


def zip_files(path: Path, members: dict[str, bytes | Path]) -> Path:
    """A zip holding `members` (name → bytes or a file to read)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content.read_bytes() if isinstance(content, Path) else content)
    return path


def zipped_shapefile(tmp_path: Path, data: list[dict], stem: str, cpg: str = "",
                     **kwargs) -> Path:
    """A Shapefile written under `stem` and zipped under the same (Vietnamese) names;
    `recode=` re-encodes its text and writes `cpg` as the declared encoding."""
    folder = tmp_path / "shp"
    folder.mkdir(exist_ok=True)
    recode = kwargs.pop("recode", None)
    write_ogr(folder / "x.shp", data, "ESRI Shapefile", **kwargs)
    if recode:
        dbf_recode(folder / "x.dbf")
        (folder / "x.cpg").write_text(cpg)
    parts = {f"{stem}.{p.suffix[1:]}": p for p in folder.iterdir()}
    return zip_files(tmp_path / f"{stem}.zip", parts)


def dbf_recode(path: Path) -> None:
    """Re-encode a UTF-8 .dbf's text fields as windows-1258 in place (as Windows tools do)."""
    data = bytearray(path.read_bytes())
    header, record = int.from_bytes(data[8:10], "little"), int.from_bytes(data[10:12], "little")
    fields, offset = [], 1
    for start in range(32, header - 1, 32):
        kind, width = chr(data[start + 11]), data[start + 16]
        fields.append((kind, offset, width))
        offset += width
    for number in range(int.from_bytes(data[4:8], "little")):
        base = header + number * record
        for kind, offset, width in fields:
            if kind == "C":
                cell = slice(base + offset, base + offset + width)
                text = bytes(data[cell]).decode("utf-8").rstrip()
                data[cell] = _windows_1258(text).ljust(width)
    path.write_bytes(bytes(data))


def _windows_1258(text: str) -> bytes:
    """cp1258 has â, ê, ơ, ư… but no ạ, ế: tone marks follow as combining characters."""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
            shape = "".join(m for m in marks if m in "\u0302\u0306\u031b")
            tones = "".join(m for m in marks if m not in shape)
            out += (unicodedata.normalize("NFC", base + shape) + tones).encode("cp1258")
    return out


def geojson(data: list[dict]) -> bytes:
    """A GeoJSON FeatureCollection of the rows."""
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {k: r[k] for k in ("ma", "ten", "loai", "giuong")},
         "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]}} for r in data]},
        ensure_ascii=False).encode()


def csv_bytes(data: list[dict], columns=("ma", "ten", "loai", "giuong", "lon", "lat"),
              delimiter: str = ",") -> bytes:
    """CSV (UTF-8 with BOM, as Excel saves it)."""
    lines = [delimiter.join(columns)] + [delimiter.join(str(r[c]) for c in columns)
                                         for r in data]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def start(connector: Connector, path: Path, *, principal=None, user=None,
          name: str | None = None) -> ImportRun:
    """Check and store a file (no dispatch); the QUEUED run."""
    with path.open("rb") as handle:
        return import_run_start(connector=connector, principal=principal, file=handle,
                                file_name=name or path.name, size=path.stat().st_size,
                                user=user, dispatch=False)


def run_file(connector: Connector, path: Path, **kwargs) -> ImportRun:
    """Start and execute an import in this process; the finished run."""
    return import_run_execute(run=start(connector, path, **kwargs))


def upload_bytes(content: bytes, name: str) -> io.BytesIO:
    """A file object as a multipart upload."""
    handle = io.BytesIO(content)
    handle.name = name
    return handle
