"""TileJSON 3.0.0 documents: absolute tile URLs, vector layers with their fields, the province's
bounds and centre, and a version whose patch number is the layer's data version."""
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.gis.db.models import Extent
from django.urls import reverse

from layers.models import AdminLevel, AdminUnit

from .filters import filters_parse
from .models import LayerTileState
from .queries import BASEMAP_ZOOMS, UNIT_LEVEL_ZOOMS
from .sources import TileSource, source_get

TILE_FORMAT = 1  # bump when the tiles' structure changes (TileJSON minor version)
THANH_HOA_FALLBACK = (104.36, 19.28, 106.08, 20.67)


@lru_cache(maxsize=1)
def province_bounds() -> tuple[float, float, float, float]:
    """WGS84 bounds of the province (its current outline), rounded outward to 0.01°."""
    extent = AdminUnit.objects.filter(level=AdminLevel.PROVINCE, valid_to__isnull=True).aggregate(
        e=Extent("geom"))["e"] or THANH_HOA_FALLBACK
    west, south, east, north = extent
    return (round(west - 0.005, 2), round(south - 0.005, 2), round(east + 0.005, 2),
            round(north + 0.005, 2))


def origin(request) -> str:
    return settings.TILES_PUBLIC_ORIGIN or request.build_absolute_uri("/").rstrip("/")


def data_version(source: TileSource) -> int:
    if source.layer is None:
        return 0
    state = LayerTileState.objects.filter(layer_id=source.layer_id).first()
    return state.data_version if state else 0


def _property_fields(source: TileSource) -> dict[str, str]:
    layer = source.layer
    specs = layer.property_schema.get("properties", {})
    fields = {"id": "Mã đối tượng (external id)"}
    if source.is_temporal:
        fields["observed_at"] = "Thời điểm xảy ra (ISO 8601, giờ Việt Nam)"
    for name in layer.public_property_names():
        fields[name] = specs[name].get("title", name)
    if source.is_aggregated:
        fields["count"] = (f"Số đối tượng trong ô lưới (chỉ dưới zoom "
                           f"{layer.aggregate_below_zoom}; ô lấy loại chiếm đa số)")
    return fields


UNIT_FIELDS = {"code": "Mã đơn vị", "name": "Tên", "division_type": "Loại đơn vị",
               "level": "Cấp (province, district, commune)",
               "is_approximate": "Ranh giới gần đúng", "population": "Dân số",
               "area_km2": "Diện tích (km²)"}


def vector_layers(source: TileSource) -> list[dict]:
    """The MVT layers a source's tiles contain, with fields and zoom ranges."""
    if source.kind == "units":
        layers = [{"id": level.lower(), "fields": UNIT_FIELDS, "minzoom": max(z, source.min_zoom),
                   "maxzoom": source.max_zoom,
                   "description": f"Ranh giới cấp {level.lower()}"}
                  for level, z in UNIT_LEVEL_ZOOMS.items()]
        layers.append({"id": "labels", "fields": UNIT_FIELDS, "minzoom": source.min_zoom,
                       "maxzoom": source.max_zoom, "description": "Điểm đặt nhãn tên đơn vị"})
        return layers
    if source.kind == "basemap":
        fields = {"name": "Tên", "ref": "Số hiệu", "is_approximate": "Vị trí gần đúng"}
        return [{"id": kind, "fields": fields, "minzoom": z, "maxzoom": source.max_zoom}
                for kind, z in BASEMAP_ZOOMS.items()]
    return [{"id": source.slug, "fields": _property_fields(source),
             "minzoom": source.min_zoom, "maxzoom": source.max_zoom,
             "description": source.layer.description_vi[:300]}]


def tilejson_of(source: TileSource, request, query=None) -> dict:
    """The TileJSON of a source; `query` (already validated) is carried into tile URLs."""
    west, south, east, north = province_bounds()
    suffix = "?" + urlencode(sorted(query.items())) if query else ""
    path = reverse("tile", kwargs={"slug": source.slug, "z": "0", "x": "0", "y": "0"})
    template = path.replace("/0/0/0.pbf", "/{z}/{x}/{y}.pbf")
    layer = source.layer
    document = {
        "tilejson": "3.0.0",
        "name": source.title_vi,
        "description": layer.description_vi if layer else "Nền bản đồ tự lưu trữ",
        "version": f"1.{TILE_FORMAT}.{data_version(source)}",
        "attribution": (layer.attribution if layer else
                        "Natural Earth; GSHHG; WDBII; sơ đồ tuyến đường (gần đúng)"),
        "scheme": "xyz",
        "tiles": [origin(request) + template + suffix],
        "minzoom": source.min_zoom,
        "maxzoom": source.max_zoom,
        "bounds": [west, south, east, north],
        "center": [round((west + east) / 2, 4), round((south + north) / 2, 4),
                   max(source.min_zoom, 8)],
        "vector_layers": vector_layers(source),
    }
    return document


def tilejson_build(*, principal, slug: str, request) -> dict:
    """TileJSON of a source the principal may see (filters in the query are validated and kept
    in the tile URLs)."""
    source = source_get(slug=slug, principal=principal)
    filters_parse(source, request.query_params)
    query = {k: v for k, v in request.query_params.items() if v}
    return tilejson_of(source, request, query)
