"""GET /tiles/raster/{slug}/{z}/{x}/{y}.png and /tiles/raster/{slug}.json.

A tile is 200 (PNG, the ramp's colours, nodata transparent), 204 when there is nothing to draw
there (outside the raster, or only nodata: MapLibre draws an empty body as an empty tile), 304
when If-None-Match names its ETag, 404 in the API's error format for a slug one may not see or
an address outside the pyramid. `Cache-Control: public, no-cache` for public rasters (shared
caches may keep them, revalidated by ETag), `private, no-cache` otherwise."""
from django.http import HttpResponse, JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from access.principal import principal_of
from tiles.grid import TileAddress
from tiles.tilejson import origin
from tiles.views import etag_matches

from .render import RENDER_VERSION, outside, tile_cached, tile_etag, tile_template
from .selectors import raster_get_visible


def _cache_headers(raster) -> dict:
    if raster.is_public:
        return {"Cache-Control": "public, no-cache"}
    return {"Cache-Control": "private, no-cache", "Vary": "Authorization, Cookie"}


class RasterTileApi(APIView):
    """A PNG tile of a raster layer, coloured by its ramp."""

    access_policy = "scoped"
    token_scope = "layers:read"
    renderer_classes = [JSONRenderer]  # errors only; tiles are written as bytes
    throttle_classes: list = []  # a map asks for dozens of tiles per view

    @extend_schema(operation_id="raster_tile", responses={
        (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description="PNG 256 × 256"),
        204: OpenApiResponse(description="không có gì để vẽ / nothing to draw"),
        304: OpenApiResponse(description="không đổi (If-None-Match)"),
        404: OpenApiResponse(description="lớp không tồn tại hoặc z/x/y ngoài lưới")})
    def get(self, request, slug: str, z: str, x: str, y: str):
        address = TileAddress.parse(z, x, y)
        raster = raster_get_visible(slug=slug, principal=principal_of(request))
        headers = _cache_headers(raster)
        if outside(raster, address):
            return HttpResponse(status=204, headers=headers)
        tag = tile_etag(raster, address)
        etag = f'"{tag}"'
        headers["ETag"] = etag
        if etag_matches(request.META.get("HTTP_IF_NONE_MATCH", ""), etag):
            return HttpResponse(status=304, headers=headers)
        body = tile_cached(raster, address, tag)
        if body is None:
            return HttpResponse(status=204, headers=headers)
        return HttpResponse(body, content_type="image/png", headers=headers)


class RasterTileJsonApi(APIView):
    """TileJSON 3.0.0 of a raster layer the caller may see (`vector_layers` is empty: the
    schema requires the member, the tiles are images)."""

    access_policy = "scoped"
    token_scope = "layers:read"
    renderer_classes = [JSONRenderer]

    @extend_schema(operation_id="raster_tilejson", responses={200: OpenApiTypes.OBJECT})
    def get(self, request, slug: str):
        raster = raster_get_visible(slug=slug, principal=principal_of(request))
        response = JsonResponse(tilejson_of(raster, origin(request)),
                                json_dumps_params={"ensure_ascii": False})
        response["Cache-Control"] = "no-cache"
        return response


def tilejson_of(raster, base: str) -> dict:
    """The TileJSON document of a raster layer, with absolute tile URLs."""
    west, south, east, north = raster.extent.extent
    bounds = [round(west, 5), round(south, 5), round(east, 5), round(north, 5)]
    stops = ", ".join(f"{value:g} {colour}" for value, colour in
                      zip(raster.ramp_stops, _colours(raster)))
    return {
        "tilejson": "3.0.0", "name": raster.title_vi, "description": raster.description_vi,
        "version": f"1.{RENDER_VERSION}.0", "attribution": raster.attribution, "scheme": "xyz",
        "tiles": [base + tile_template(raster.slug)],
        "minzoom": 0, "maxzoom": raster.max_zoom, "bounds": bounds,
        "center": [round((west + east) / 2, 4), round((south + north) / 2, 4),
                   min(8, raster.max_zoom)],
        "legend": f"{raster.value_description_vi} ({raster.value_unit}): {stops}",
        "vector_layers": [],
    }


def _colours(raster) -> tuple[str, ...]:
    from .ramps import RAMPS

    return RAMPS[raster.ramp].colours
