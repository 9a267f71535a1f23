"""Tile endpoints: MVT tiles, TileJSON and the MapLibre style. Each view parses its input,
makes one domain call and writes the HTTP answer; errors are named and rendered in one format."""
import gzip
from dataclasses import dataclass

from django.http import HttpResponse, JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from access.principal import principal_of

from .grid import TileAddress
from .services import RenderedTile, tile_get
from .style import style_build
from .tilejson import tilejson_build

MVT = "application/vnd.mapbox-vector-tile"


def accepts_gzip(header: str) -> bool:
    """Whether Accept-Encoding admits gzip (an explicit q=0 refuses it)."""
    verdict = None
    for item in header.split(","):
        name, _, params = item.strip().partition(";")
        name = name.strip().lower()
        refused = params.replace(" ", "").lower() in ("q=0", "q=0.0", "q=0.00", "q=0.000")
        if name == "gzip":
            return not refused
        if name == "*":
            verdict = not refused
    return bool(verdict)


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Whether an If-None-Match header names this ETag (weak or strong) or is '*'."""
    if if_none_match.strip() == "*":
        return True
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag in candidates


TILE_TOKEN_SCOPE = "layers:read"


@dataclass(frozen=True)
class TileAnswer:
    """Status, headers and body of a tile answer, whoever writes it (the view, tiles/gateway.py)."""
    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""

    @property
    def status_line(self) -> str:
        return {200: "200 OK", 204: "204 No Content", 304: "304 Not Modified"}[self.status]


def tile_answer(tile: RenderedTile, *, accept_encoding: str, if_none_match: str) -> TileAnswer:
    """200 with the (gzipped when accepted) MVT, 204 when empty, 304 when the client has it.

    `Content-Encoding: gzip` is sent exactly when the body is gzipped, always with
    `Vary: Accept-Encoding`: a gzipped tile without the header makes MapLibre draw nothing."""
    vary = "Accept-Encoding" if tile.is_public else "Accept-Encoding, Authorization, Cookie"
    headers = [("Vary", vary),
               ("Cache-Control", "public, no-cache" if tile.is_public else "private, no-cache")]
    if tile.is_empty:
        return TileAnswer(204, headers)
    use_gzip = accepts_gzip(accept_encoding)
    etag = f'"{tile.etag}"' if use_gzip else f'"{tile.etag}-identity"'
    headers.append(("ETag", etag))
    if etag_matches(if_none_match, etag):
        return TileAnswer(304, headers)
    if use_gzip:
        headers.append(("Content-Encoding", "gzip"))
        body = tile.body
    else:
        body = gzip.decompress(tile.body)
    # Content-Length always: without it clients meet 40 ms delayed-ACK stalls (PITFALLS.md).
    headers += [("Content-Type", MVT), ("Content-Length", str(len(body)))]
    return TileAnswer(200, headers, body)


def tile_response(request, tile: RenderedTile) -> HttpResponse:
    """The view's HttpResponse of tile_answer."""
    answer = tile_answer(tile, accept_encoding=request.META.get("HTTP_ACCEPT_ENCODING", ""),
                         if_none_match=request.META.get("HTTP_IF_NONE_MATCH", ""))
    headers = dict(answer.headers)
    content_type = headers.pop("Content-Type", None)
    headers.pop("Content-Length", None)  # HttpResponse counts its own body
    return HttpResponse(answer.body, status=answer.status, content_type=content_type,
                        headers=headers)


class TileApi(APIView):
    """GET /tiles/{layer}/{z}/{x}/{y}.pbf — Mapbox Vector Tile 2.1."""

    access_policy = "scoped"
    token_scope = TILE_TOKEN_SCOPE
    renderer_classes = [JSONRenderer]  # errors only; tiles are written as bytes
    # A map asks for dozens of tiles per view: tile rates are limited at the proxy instead.
    throttle_classes: list = []

    @extend_schema(operation_id="tile", responses={
        (200, MVT): OpenApiResponse(OpenApiTypes.BINARY, description="Mapbox Vector Tile 2.1"),
        204: OpenApiResponse(description="ô trống / empty tile"),
        304: OpenApiResponse(description="không đổi (If-None-Match)"),
        400: OpenApiResponse(description="bộ lọc không hợp lệ"),
        404: OpenApiResponse(description="lớp không tồn tại hoặc z/x/y ngoài lưới")})
    def get(self, request, slug: str, z: str, x: str, y: str):
        address = TileAddress.parse(z, x, y)
        tile = tile_get(principal=principal_of(request), slug=slug, address=address,
                        query=request.query_params)
        return tile_response(request, tile)


class TileJsonApi(APIView):
    """GET /tiles/{layer}.json — TileJSON 3.0.0 of a source the caller may see."""

    access_policy = "scoped"
    token_scope = "layers:read"
    renderer_classes = [JSONRenderer]

    @extend_schema(operation_id="tilejson", responses={200: OpenApiTypes.OBJECT})
    def get(self, request, slug: str):
        document = tilejson_build(principal=principal_of(request), slug=slug, request=request)
        response = JsonResponse(document, json_dumps_params={"ensure_ascii": False})
        response["Cache-Control"] = "no-cache"
        return response


class StyleApi(APIView):
    """GET /tiles/style.json — MapLibre style of our basemap and every visible layer."""

    access_policy = "scoped"
    token_scope = "layers:read"
    renderer_classes = [JSONRenderer]

    @extend_schema(operation_id="tile_style", responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        document = style_build(principal=principal_of(request), request=request)
        response = JsonResponse(document, json_dumps_params={"ensure_ascii": False})
        response["Cache-Control"] = "no-cache"
        return response
