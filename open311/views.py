"""Open311 GeoReport v2 endpoints. Thin: read the parameters, make one domain call, render the
spec's document in the format named by the path (.json or .xml). Failures of any kind become
the spec's error list in that format (open311/errors.py); none of DRF's own formats leak."""
from django.core.exceptions import RequestDataTooBig
from django.urls import reverse
from rest_framework.parsers import FormParser
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from access.principal import principal_of
from ioc_gis.middleware import declared_body_too_big

from . import conf, inputs, render, selectors, serializers, services
from .authentication import ApiKeyAuthentication
from .errors import FormatRequired, PathNotFound, UnknownJurisdiction, spec_error


class Open311View(APIView):
    """Shared protocol of every Open311 endpoint: the format extension, jurisdiction_id, the
    api_key (POST only), rate limits, and errors in the spec's format."""

    access_policy = "public-reference"
    token_scope = conf.SCOPE_WRITE  # only POST authenticates (api_key); GETs carry no token
    authentication_classes = [ApiKeyAuthentication]
    parser_classes = [FormParser]  # the spec: application/x-www-form-urlencoded
    renderer_classes = [JSONRenderer]  # unused: answers are rendered by open311/render.py
    http_method_names = ["get", "head"]
    schema = None  # not in our OpenAPI document: the Open311 spec describes these routes
    fmt = render.JSON  # until the path's extension is known good

    def perform_content_negotiation(self, request, force=False):
        """The format is in the path, never in the Accept header (no 406 for text/xml)."""
        renderer = self.get_renderers()[0]
        return renderer, renderer.media_type

    def initial(self, request, *args, **kwargs) -> None:
        fmt = kwargs.get("fmt")
        if fmt not in render.CONTENT_TYPES:
            raise FormatRequired(
                "Cần đuôi định dạng .json hoặc .xml, vd. services.json. / The path needs a "
                "format extension, .json or .xml (e.g. services.json).")
        self.fmt = fmt
        if declared_body_too_big(request):  # DRF's FormParser would read any size
            raise RequestDataTooBig()
        jurisdiction = self.param("jurisdiction_id")
        if jurisdiction and jurisdiction != conf.jurisdiction_id():
            raise UnknownJurisdiction(
                f"Không phục vụ jurisdiction_id '{jurisdiction[:100]}'; dùng "
                f"'{conf.jurisdiction_id()}'. / jurisdiction_id not found here; use "
                f"'{conf.jurisdiction_id()}'.")
        super().initial(request, *args, **kwargs)

    def handle_exception(self, exc: Exception):
        error = spec_error(exc)
        if error is None:
            raise exc  # a bug, not the caller's mistake: Django logs it
        return render.response(render.errors(error.errors), self.fmt, status=error.status,
                               headers=error.headers)

    def param(self, name: str) -> str:
        """A parameter from the form body (POST) or the query string."""
        if self.request.method == "POST" and name in self.request.data:
            return self.request.data.get(name) or ""
        return self.request.query_params.get(name) or ""

    def params(self) -> dict[str, str]:
        """Query string and form body (the body wins), one value per name."""
        return {**dict(self.request.query_params.items()), **dict(self.request.data.items())}

    def origin(self) -> str:
        """scheme://host of this request (Host is checked against ALLOWED_HOSTS)."""
        return self.request.build_absolute_uri("/").rstrip("/")

    def answer(self, document: render.Document, status: int = 200):
        return render.response(document, self.fmt, status=status)


class DiscoveryView(Open311View):
    """GET discovery.{json,xml}: where the endpoint is, its formats and how to get a key."""

    def get(self, request, **kwargs):
        url = self.origin() + reverse("open311-path", kwargs={"rest": ""}).rstrip("/")
        return self.answer(render.discovery(serializers.discovery_out(endpoint_url=url)))


class ServiceListView(Open311View):
    """GET services.{json,xml}: our incident categories."""

    def get(self, request, **kwargs):
        return self.answer(render.services(
            [serializers.service_out(category) for category in selectors.service_list()]))


class ServiceDefinitionView(Open311View):
    """GET services/{service_code}.{json,xml}: the category's attributes (none so far)."""

    def get(self, request, service_code: str, **kwargs):
        category = selectors.service_get(code=service_code)
        return self.answer(render.service_definition(
            serializers.service_definition_out(category)))


class RequestListView(Open311View):
    """GET requests.{json,xml}: requests by filters; POST: create one (api_key needed)."""

    http_method_names = ["get", "head", "post"]

    def get(self, request, **kwargs):
        incidents = selectors.request_list(query=inputs.requests_query(request.query_params))
        origin = self.origin()
        return self.answer(render.service_requests(
            [serializers.request_out(incident, origin=origin) for incident in incidents]))

    def post(self, request, **kwargs):
        incident = services.open311_request_submit(
            principal=principal_of(request), request=inputs.request_create_input(self.params()))
        return self.answer(render.service_requests([serializers.request_created_out(incident)]))


class RequestDetailView(Open311View):
    """GET requests/{service_request_id}.{json,xml}: one request (an array of one)."""

    def get(self, request, service_request_id: str, **kwargs):
        incident = selectors.request_get(public_id=service_request_id.upper())
        return self.answer(render.service_requests(
            [serializers.request_out(incident, origin=self.origin())]))


class TokenView(Open311View):
    """GET tokens/{token}.{json,xml}: the request id behind a token (our ids are tokens)."""

    def get(self, request, token: str, **kwargs):
        public_id = selectors.token_resolve(token=token.upper())
        return self.answer(render.service_requests(
            [serializers.token_out(token=token, service_request_id=public_id)]))


class PathNotFoundView(Open311View):
    """Anything else under /open311/v2/: a 404 in the spec's format, never an HTML page."""

    http_method_names = ["get", "head", "post", "put", "patch", "delete", "options"]

    def initial(self, request, *args, **kwargs) -> None:
        if kwargs.get("rest", "").endswith(".xml"):
            self.fmt = render.XML
        self.check_throttles(request)
        raise PathNotFound("Không có tài nguyên Open311 này. / No such Open311 resource.")
