"""OGC API – Features endpoints. Thin: check and parse the query, make one document call,
answer JSON (GeoJSON for features). DRF views like every other API: the same authentication
(session or `Authorization: Token`), token scope `layers:read`, throttles and access policy;
failures become the OGC exception document (ogc/errors.py)."""
from django.urls import reverse
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access.principal import principal_of

from . import documents, params
from .errors import PathNotFound, exception_response
from .openapi import openapi_document


class GeoJSONRenderer(JSONRenderer):
    """JSON sent as `application/geo+json`."""

    media_type = "application/geo+json"
    format = "geojson"


class OpenAPIRenderer(JSONRenderer):
    """JSON sent as the OpenAPI 3.0 media type."""

    media_type = "application/vnd.oai.openapi+json;version=3.0"


class OneRepresentation(BaseContentNegotiation):
    """Each resource has one representation (no HTML): the Accept header never causes a 406,
    and `f` is checked by ogc.params (DRF's own `?format=` is not read)."""

    def select_parser(self, request, parsers):
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class OgcView(APIView):
    """Shared protocol of the OGC endpoints (GET/HEAD only)."""

    access_policy = "scoped"
    token_scope = "layers:read"
    schema = None  # described by /ogc/api, not by the project's /api/schema/
    renderer_classes = [JSONRenderer]
    content_negotiation_class = OneRepresentation
    parser_classes = []
    http_method_names = ["get", "head"]

    def handle_exception(self, exc: Exception):
        return exception_response(super().handle_exception(exc))

    def base(self) -> str:
        """The absolute URL of the API's landing page, without the trailing slash."""
        return self.request.build_absolute_uri(reverse("ogc-landing")).rstrip("/")


class LandingApi(OgcView):
    """GET /ogc/: the landing page."""

    def get(self, request: Request) -> Response:
        params.check_known(request.query_params, params.DOCUMENT_PARAMS)
        return Response(documents.landing_document(base=self.base()))


class ConformanceApi(OgcView):
    """GET /ogc/conformance: the conformance classes."""

    def get(self, request: Request) -> Response:
        params.check_known(request.query_params, params.DOCUMENT_PARAMS)
        return Response(documents.conformance_document())


class OpenApiDefinitionApi(OgcView):
    """GET /ogc/api: the OpenAPI 3.0 definition of this API (collections the caller sees)."""

    renderer_classes = [OpenAPIRenderer]

    def get(self, request: Request) -> Response:
        params.check_known(request.query_params, params.DOCUMENT_PARAMS)
        return Response(openapi_document(principal=principal_of(request), base=self.base()))


class CollectionListApi(OgcView):
    """GET /ogc/collections: every collection the caller may see."""

    def get(self, request: Request) -> Response:
        params.check_known(request.query_params, params.DOCUMENT_PARAMS)
        return Response(documents.collections_document(principal=principal_of(request),
                                                       base=self.base()))


class CollectionApi(OgcView):
    """GET /ogc/collections/{id}: one collection (404 outside the caller's reach)."""

    def get(self, request: Request, collection_id: str) -> Response:
        params.check_known(request.query_params, params.DOCUMENT_PARAMS)
        return Response(documents.collection_document(
            principal=principal_of(request), collection_id=collection_id, base=self.base()))


class ItemListApi(OgcView):
    """GET /ogc/collections/{id}/items: a page of features (GeoJSON)."""

    renderer_classes = [GeoJSONRenderer]

    def get(self, request: Request, collection_id: str) -> Response:
        query = params.items_query(request.query_params)
        return Response(documents.items_document(
            principal=principal_of(request), collection_id=collection_id, query=query,
            query_params=request.query_params, base=self.base()))


class ItemApi(OgcView):
    """GET /ogc/collections/{id}/items/{featureId}: one feature (GeoJSON)."""

    renderer_classes = [GeoJSONRenderer]

    def get(self, request: Request, collection_id: str, feature_id: str) -> Response:
        params.check_known(request.query_params, params.ITEM_PARAMS, params.FEATURE_FORMATS)
        return Response(documents.item_document(
            principal=principal_of(request), collection_id=collection_id,
            feature_id=feature_id, base=self.base()))


class PathNotFoundApi(OgcView):
    """Any other path under /ogc/: 404 in the OGC exception format."""

    def get(self, request: Request, rest: str = "") -> Response:
        raise PathNotFound("Không có tài nguyên này / no such resource.")
