"""Where each row lies, in WGS84: the file's geometry, lon/lat (or X/Y) columns, or a join to
the current communes by code or by name; reprojected from the source CRS (EPSG code or PROJ
string, e.g. VN-2000) and checked — type, emptiness, finite WGS84 numbers, validity, inside
Thanh Hóa — all vectorised (shapely/pyproj over every row at once)."""
import unicodedata
from collections import defaultdict
from functools import lru_cache

import numpy as np
import shapely
from django.contrib.gis.db.models.functions import PointOnSurface
from django.utils import timezone
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from layers.conf import province_code
from layers.models import AdminLevel, AdminUnit, GeometryKind, Layer
from layers.selectors import valid_on

from . import conf
from .errors import ConnectorMisconfigured, GeometryTypeMismatch, MissingColumns
from .models import Connector
from .reader import SourceTable

# Why rows are refused, by row index: rows without a problem are absent (a list per row cost
# a tenth of a second per 100,000 rows).
Reasons = defaultdict[int, list[str]]

TYPE_IDS_BY_KIND = {GeometryKind.POINT: {0, 4}, GeometryKind.LINE: {1, 5},
                    GeometryKind.POLYGON: {3, 6}}
TYPE_NAMES_BY_KIND = {GeometryKind.POINT: {"Point", "MultiPoint"},
                      GeometryKind.LINE: {"LineString", "MultiLineString"},
                      GeometryKind.POLYGON: {"Polygon", "MultiPolygon"}}
# PROJ may read grids and init files from disk or the network: not from a connector's text.
FORBIDDEN_IN_CRS = ("http:", "https:", "/vsi", "@", "init=", "nadgrids", "geoidgrids",
                    "gridshift", "file:")
WGS84 = CRS.from_epsg(4326)
UNIT_PREFIXES = ("thi tran ", "dac khu ", "phuong ", "xa ")


def crs_parse(text: str) -> CRS:
    """A CRS from an EPSG code (`EPSG:3405`, `3405`) or a PROJ string, refusing file references."""
    cleaned = text.strip()
    if any(bad in cleaned.lower() for bad in FORBIDDEN_IN_CRS):
        raise ConnectorMisconfigured("Hệ tọa độ không được tham chiếu tệp lưới, tệp init hay URL.")
    if cleaned.isdigit():
        cleaned = f"EPSG:{cleaned}"
    try:
        return CRS.from_user_input(cleaned)
    except CRSError as exc:
        raise ConnectorMisconfigured(f"Hệ tọa độ “{cleaned[:80]}” không hợp lệ: {exc}") from exc


def file_type_check(geometry_type: str | None, layer: Layer) -> None:
    """A file declaring one geometry type (Shapefile, GeoPackage) must fit the layer's kind."""
    if not geometry_type or geometry_type.startswith(("Unknown", "GeometryCollection")):
        return
    base = geometry_type.split(" ")[0]
    if base not in TYPE_NAMES_BY_KIND[GeometryKind(layer.geometry_kind)]:
        raise GeometryTypeMismatch(
            f"Tệp chứa hình học kiểu {base}, lớp “{layer.slug}” nhận kiểu "
            f"{GeometryKind(layer.geometry_kind).label.lower()} "
            f"({', '.join(sorted(TYPE_NAMES_BY_KIND[GeometryKind(layer.geometry_kind)]))}).")


def fold(text: str) -> str:
    """Lower-case text without diacritics (Đ → d), spaces collapsed: "Sầm Sơn" → "sam son"."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def positions(table: SourceTable, connector: Connector, layer: Layer,
              reasons: Reasons) -> np.ndarray:
    """WGS84 shapely geometries per row (None when unusable; the reason is added to `reasons`)."""
    joined = False
    if table.geometries is not None and not connector.lon_column:
        geoms = table.geometries
    elif connector.lon_column:
        geoms = _from_lon_lat(table, connector, reasons)
    elif connector.unit_code_column or connector.unit_name_column:
        geoms, joined = _from_units(table, connector, layer, reasons), True
    else:
        raise ConnectorMisconfigured("Tệp không có hình học; kết nối cần cột kinh độ/vĩ độ "
                                     "hoặc cột mã/tên xã để định vị.")
    if not joined:
        geoms = _to_wgs84(geoms, connector.source_crs, table.crs)
    _check(geoms, layer, reasons)
    return geoms


def _required(table: SourceTable, name: str) -> list:
    column = table.column(name)
    if column is None:
        raise MissingColumns(f"Tệp không có cột “{name}” (các cột: "
                             f"{', '.join(list(table.columns)[:30])}).")
    return column


def _number(value) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().replace(",", ".") if isinstance(value, str) else value
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _from_lon_lat(table: SourceTable, connector: Connector, reasons) -> np.ndarray:
    xs = _required(table, connector.lon_column)
    ys = _required(table, connector.lat_column)
    x = np.array([_number(v) for v in xs], dtype=float)
    y = np.array([_number(v) for v in ys], dtype=float)
    bad = np.isnan(x) | np.isnan(y)
    for index in np.flatnonzero(bad):
        reasons[index].append(f"tọa độ “{xs[index]}”, “{ys[index]}” không phải số")
    geoms = np.full(len(x), None, dtype=object)
    geoms[~bad] = shapely.points(x[~bad], y[~bad])
    return geoms


def _unit_lookup(layer: Layer) -> tuple[dict, dict]:
    if layer.geometry_kind == GeometryKind.LINE:
        raise ConnectorMisconfigured("Không thể định vị đối tượng dạng đường theo xã.")
    units = (AdminUnit.objects.filter(valid_on(timezone.localdate()), level=AdminLevel.COMMUNE)
             .annotate(anchor=PointOnSurface("geom")).only("code", "name", "geom"))
    by_code, by_name = {}, {}
    for unit in units:
        source = unit.anchor if layer.geometry_kind == GeometryKind.POINT else unit.geom
        shape = shapely.from_wkb(bytes(source.wkb))
        by_code[unit.code] = shape
        name = fold(unit.name)
        short = next((name[len(p):] for p in UNIT_PREFIXES if name.startswith(p)), name)
        for key in {name, short}:
            by_name.setdefault(key, []).append(shape)
    return by_code, by_name


def _unit_code(value) -> str:
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return text.zfill(5) if text.isdigit() else text


def _from_units(table: SourceTable, connector: Connector, layer: Layer, reasons) -> np.ndarray:
    by_code, by_name = _unit_lookup(layer)
    geoms = np.full(table.count, None, dtype=object)
    if connector.unit_code_column:
        for index, value in enumerate(_required(table, connector.unit_code_column)):
            geoms[index] = by_code.get(_unit_code(value)) if value is not None else None
            if geoms[index] is None:
                reasons[index].append(f"không có xã/phường hiện hành mã “{value}”")
        return geoms
    for index, value in enumerate(_required(table, connector.unit_name_column)):
        found = by_name.get(fold(str(value or "")), [])
        if len(found) == 1:
            geoms[index] = found[0]
        else:
            reasons[index].append(f"tên xã/phường “{value}” "
                                  + ("trùng nhiều đơn vị" if found else "không tìm thấy"))
    return geoms


def _to_wgs84(geoms: np.ndarray, connector_crs: str, file_crs: str | None) -> np.ndarray:
    source = crs_parse(connector_crs) if connector_crs.strip() else (
        CRS.from_user_input(file_crs) if file_crs else WGS84)
    if source.equals(WGS84, ignore_axis_order=True):
        return geoms
    transformer = Transformer.from_crs(source, WGS84, always_xy=True)

    def project(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))

    return shapely.transform(geoms, project)


@lru_cache(maxsize=4)
def _province(code: str, margin: float, day) -> shapely.Geometry:
    unit = AdminUnit.objects.filter(valid_on(day), level=AdminLevel.PROVINCE, code=code).first()
    if unit is None:
        raise ConnectorMisconfigured(f"Chưa có ranh giới tỉnh (mã {code}) để kiểm tra vị trí.")
    shape = shapely.from_wkb(bytes(unit.geom.wkb))
    shape = shape.buffer(margin, quad_segs=2) if margin > 0 else shape
    shapely.prepare(shape)
    return shape


def _check(geoms: np.ndarray, layer: Layer, reasons: Reasons) -> None:
    """Type, emptiness, finite WGS84 numbers, validity and the province, for every row."""
    present = np.array([g is not None for g in geoms], dtype=bool)
    for index in np.flatnonzero(~present):
        if not reasons[index]:
            reasons[index].append("không có hình học")
    kind = GeometryKind(layer.geometry_kind)
    type_ok = np.isin(shapely.get_type_id(geoms), list(TYPE_IDS_BY_KIND[kind]))
    bounds = shapely.bounds(geoms)
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(bounds).all(axis=1)
        in_range = finite & (bounds[:, 0] >= -180) & (bounds[:, 2] <= 180) & (
            bounds[:, 1] >= -90) & (bounds[:, 3] <= 90)
    valid = shapely.is_valid(geoms)
    province = _province(province_code(), float(conf.get("IOC_IMPORT_PROVINCE_MARGIN_DEG")),
                         timezone.localdate())
    inside = shapely.intersects(province, geoms)
    for index in np.flatnonzero(present & ~(type_ok & finite & in_range & valid & inside)):
        reasons[index].append(_geometry_reason(geoms[index], kind, bool(type_ok[index]),
                                               bool(in_range[index]), bool(valid[index])))


def _geometry_reason(shape, kind: GeometryKind, type_ok: bool, in_range: bool,
                     valid: bool) -> str:
    if not type_ok:
        return f"hình học kiểu {shape.geom_type} không hợp với lớp {kind.label.lower()}"
    if shape.is_empty:
        return "hình học rỗng"
    if not in_range:
        return "tọa độ không phải kinh độ/vĩ độ WGS84 hữu hạn (kiểm tra hệ tọa độ nguồn)"
    if not valid:
        return f"hình học không hợp lệ: {shapely.is_valid_reason(shape)}"
    x, y = shape.centroid.x, shape.centroid.y
    return f"tọa độ ({x:.5f}, {y:.5f}) nằm ngoài tỉnh Thanh Hóa"
