"""Exports of a layer, or of a filtered view of it (bbox, time window), as GeoJSON, GeoPackage or
CSV (UTF-8 with BOM, Excel-friendly), for the planner's view and for integrations.

Rules, the same on every path (the API below, the planner's briefing map):
- who may export: callers holding `access.export_data` (province leaders, planners,
  administrators). A layer the caller may not see does not exist (404) before that is asked (403);
- what: only features the caller may read (`selectors.feature_list_visible`: layer visibility and
  jurisdiction), and only the layer's public properties (`x-public`), whoever asks: a file
  travels further than a screen, so private properties and personal data never go into one;
- how much: at most `export_max_rows()` rows; beyond it the export is refused whole (400
  `export_too_large`), never cut silently.
The administrative units layer exports the units in force today (code, name, level, …)."""
import csv
import io
import json
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.contrib.gis.geos import Polygon
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from access.principal import principal_of
from ioc_gis.errors import ForbiddenError, InvalidInputError

from . import selectors
from .feature_api import FeatureQueryInput
from .models import AdminUnit, Layer, LayerSource

EXPORT_PERMISSION = "access.export_data"
DEFAULT_MAX_ROWS = 50_000
UNIT_COLUMNS = ["code", "name", "level", "division_type", "parent_code", "valid_from",
                "valid_to", "is_approximate"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets read as a formula


class ExportForbidden(ForbiddenError):
    """The caller may see the layer but holds no right to export data."""

    code = "export_forbidden"


class ExportTooLarge(InvalidInputError):
    """More rows than an export may carry: narrow the bbox or the time window."""

    code = "export_too_large"


@dataclass(frozen=True)
class ExportFormat:
    extension: str
    content_type: str


FORMATS = {
    "geojson": ExportFormat("geojson", "application/geo+json"),
    "gpkg": ExportFormat("gpkg", "application/geopackage+sqlite3"),
    "csv": ExportFormat("csv", "text/csv; charset=utf-8"),
}


@dataclass(frozen=True)
class ExportRow:
    """One feature: its id, GeoJSON geometry and the values of the table's columns."""

    id: str
    geometry: dict
    values: dict


@dataclass(frozen=True)
class ExportTable:
    """What an export carries: the layer, its columns (public properties first) and rows."""

    layer: Layer
    columns: list[str]
    rows: list[ExportRow]


@dataclass(frozen=True)
class ExportFile:
    """A finished export: bytes, media type and a download name."""

    content: bytes
    content_type: str
    filename: str


def export_max_rows() -> int:
    """IOC_EXPORT_MAX_ROWS, read when asked so deployments and tests can change it."""
    return getattr(settings, "IOC_EXPORT_MAX_ROWS", DEFAULT_MAX_ROWS)


def can_export(principal) -> bool:
    """Whether the principal may take data out as files (leaders, planners, administrators)."""
    return principal.has(EXPORT_PERMISSION)


def export_check(*, principal) -> None:
    """Raise ExportForbidden unless the principal may export."""
    if not can_export(principal):
        raise ExportForbidden("Bạn không có quyền xuất dữ liệu.")


def export_table(*, principal, layer: Layer, bbox: tuple | None = None, since=None,
                 until=None, max_rows: int | None = None) -> ExportTable:
    """The rows of a visible layer the principal may export, public properties only."""
    export_check(principal=principal)
    limit = export_max_rows() if max_rows is None else max_rows
    if layer.source == LayerSource.ADMIN_UNITS:
        columns, rows = UNIT_COLUMNS, _unit_rows(bbox=bbox, limit=limit)
    else:
        columns = _feature_columns(layer)
        rows = _feature_rows(principal=principal, layer=layer, columns=columns, bbox=bbox,
                             since=since, until=until, limit=limit)
    if len(rows) > limit:
        raise ExportTooLarge(
            f"Vượt quá {limit} đối tượng mỗi lần xuất; hãy thu hẹp vùng (bbox) hoặc thời gian.",
            details={"max_rows": limit})
    return ExportTable(layer=layer, columns=columns, rows=rows)


def layer_export(*, principal, slug: str, fmt: str, bbox: tuple | None = None, since=None,
                 until=None) -> ExportFile:
    """The export of layer `slug` in format `fmt` (a key of FORMATS): the one domain call."""
    layer = selectors.layer_get_visible(slug=slug, principal=principal)
    table = export_table(principal=principal, layer=layer, bbox=bbox, since=since, until=until)
    writer = {"geojson": geojson_bytes, "gpkg": gpkg_bytes, "csv": csv_bytes}[fmt]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return ExportFile(content=writer(table), content_type=FORMATS[fmt].content_type,
                      filename=f"{layer.slug}-{stamp}.{FORMATS[fmt].extension}")


def _feature_columns(layer: Layer) -> list[str]:
    columns = list(layer.public_property_names())
    if layer.is_temporal and "observed_at" not in columns:
        columns.append("observed_at")
    if "commune_code" not in columns:
        columns.append("commune_code")
    return columns


def _feature_rows(*, principal, layer, columns, bbox, since, until, limit) -> list[ExportRow]:
    features = selectors.feature_list_visible(principal=principal, layer=layer, bbox=bbox,
                                              since=since, until=until)
    fetched = features.annotate(geojson=AsGeoJSON("geom", precision=7)).values_list(
        "external_id", "geojson", "properties", "observed_at", "commune_code")[:limit + 1]
    rows = []
    for external_id, geojson, properties, observed_at, commune_code in fetched:
        extra = {"observed_at": observed_at and timezone.localtime(observed_at).isoformat(),
                 "commune_code": commune_code}
        values = {c: properties[c] if c in properties else extra.get(c) for c in columns}
        rows.append(ExportRow(external_id, json.loads(geojson), values))
    return rows


def _unit_rows(*, bbox, limit) -> list[ExportRow]:
    units = AdminUnit.objects.filter(selectors.valid_on(timezone.localdate()))
    if bbox is not None:
        units = units.filter(geom__intersects=Polygon.from_bbox(bbox))
    fetched = units.order_by("level", "code").annotate(
        geojson=AsGeoJSON("geom", precision=6)).select_related("parent")[:limit + 1]
    return [ExportRow(unit.code, json.loads(unit.geojson), {
        "code": unit.code, "name": unit.name, "level": unit.level.lower(),
        "division_type": unit.division_type, "parent_code": unit.parent.code if unit.parent else None,
        "valid_from": unit.valid_from and unit.valid_from.isoformat(),
        "valid_to": unit.valid_to and unit.valid_to.isoformat(),
        "is_approximate": unit.is_approximate}) for unit in fetched]


# ---- writers ----------------------------------------------------------------------------

def geojson_bytes(table: ExportTable) -> bytes:
    """A GeoJSON FeatureCollection (RFC 7946, WGS84), UTF-8."""
    body = {"type": "FeatureCollection", "name": table.layer.slug, "features": [
        {"type": "Feature", "id": row.id, "geometry": row.geometry,
         "properties": {"id": row.id, **row.values}} for row in table.rows]}
    return json.dumps(body, ensure_ascii=False, default=str).encode()


def csv_bytes(table: ExportTable) -> bytes:
    """CSV in UTF-8 with a byte-order mark (Excel then reads Vietnamese correctly): id, lon/lat
    for point layers or WKT for others, then the columns. Lists and objects are JSON; text that
    a spreadsheet would run as a formula gets a leading apostrophe."""
    from shapely.geometry import shape

    points = all(row.geometry["type"] == "Point" for row in table.rows)
    place = ["lon", "lat"] if points else ["wkt"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["id", *place, *table.columns])
    for row in table.rows:
        where = row.geometry["coordinates"][:2] if points else [shape(row.geometry).wkt]
        writer.writerow([_cell(row.id), *where, *(_cell(row.values[c]) for c in table.columns)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(value) -> object:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def gpkg_bytes(table: ExportTable) -> bytes:
    """A GeoPackage (EPSG:4326) with one layer named after the layer's slug, written by pyogrio
    to a temporary file. Columns are typed by the layer's JSON Schema."""
    import numpy
    import pyogrio.raw
    from shapely import to_wkb
    from shapely.geometry import shape

    shapes = [shape(row.geometry) for row in table.rows]
    kinds = {geometry.geom_type for geometry in shapes}
    fields, masks = [], []
    for column in table.columns:
        data, mask = _typed_column(table, column)
        fields.append(data)
        masks.append(mask)
    with tempfile.TemporaryDirectory(prefix="ioc-export-") as folder:
        path = Path(folder) / f"{table.layer.slug}.gpkg"
        pyogrio.raw.write(
            str(path), geometry=numpy.array([to_wkb(g) for g in shapes], dtype=object),
            field_data=[numpy.array([row.id for row in table.rows], dtype=object), *fields],
            fields=["id", *table.columns], field_mask=[None, *masks], layer=table.layer.slug,
            driver="GPKG", crs="EPSG:4326", encoding="UTF-8",
            geometry_type=kinds.pop() if len(kinds) == 1 else "Unknown")
        return path.read_bytes()


def _typed_column(table: ExportTable, column: str):
    """(values, null mask) of one column: integers, reals and booleans keep their type (the
    schema's, else the one every value shares); anything else is text."""
    import numpy

    values = [row.values[column] for row in table.rows]
    mask = numpy.array([v is None for v in values], dtype=bool)
    kind = _column_kind(table.layer, column, [v for v in values if v is not None])
    typed = {"integer": (numpy.int64, 0), "number": (numpy.float64, 0.0),
             "boolean": (numpy.bool_, False)}
    if kind in typed:
        dtype, blank = typed[kind]
        return numpy.array([blank if v is None else v for v in values], dtype=dtype), mask
    return numpy.array([None if v is None else _text(v) for v in values], dtype=object), mask


def _column_kind(layer: Layer, column: str, present: list) -> str:
    spec = (layer.property_schema or {}).get("properties", {}).get(column, {})
    kind = spec.get("type")
    kind = next((k for k in kind if k != "null"), None) if isinstance(kind, list) else kind
    checks = {"boolean": lambda v: isinstance(v, bool),
              "integer": lambda v: type(v) is int and -2**63 <= v < 2**63,
              "number": lambda v: type(v) in (int, float) and abs(v) < 2**63}
    if kind is None and present:
        kind = next((k for k, fits in checks.items() if all(map(fits, present))), None)
    return kind if kind in checks and all(map(checks[kind], present)) else "string"


def _text(value) -> str:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


# ---- API --------------------------------------------------------------------------------

class BboxQueryInput(FeatureQueryInput):
    """bbox, since, until of the feature list, with a bbox such as "1..2,…" a 400, not a 500."""

    def validate_bbox(self, value: str) -> tuple[float, ...]:
        try:
            return super().validate_bbox(value)
        except ValueError:
            raise serializers.ValidationError(
                "bbox must be four numbers: west,south,east,north") from None


class ExportQueryInput(BboxQueryInput):
    format = serializers.ChoiceField(choices=sorted(FORMATS), required=False, default="geojson")


class JsonErrorsOnly(BaseContentNegotiation):
    """Answers are files; errors are JSON. `?format=` names the file's format here, not one of
    DRF's renderers, so the usual negotiation (which reads it) is not used."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        return None


class LayerExportApi(APIView):
    """GET: the features of a layer the caller may export, as a file (GeoJSON, GeoPackage or
    CSV), optionally inside a bbox and a time window."""

    access_policy = "scoped"
    token_scope = "layers:read"
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonErrorsOnly

    @extend_schema(operation_id="layers_export", parameters=[ExportQueryInput],
                   responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, slug: str) -> HttpResponse:
        query = ExportQueryInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        args = dict(query.validated_data)
        exported = layer_export(principal=principal_of(request), slug=slug,
                                fmt=args.pop("format"), **args)
        response = HttpResponse(exported.content, content_type=exported.content_type)
        response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
        response["Cache-Control"] = "private, no-store"
        return response
