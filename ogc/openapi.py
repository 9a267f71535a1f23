"""A small OpenAPI 3.0 definition of /ogc/ (the landing page's `service-desc`), with a path per
collection the caller may see, as OGC API – Features clients and test suites expect. The
parameter definitions are the spec's fragments (OGC 17-069r4, 7.15.2–7.15.4)."""
from access.principal import Principal

from . import conf, selectors

PARAMETERS = {
    "bbox": {"name": "bbox", "in": "query", "required": False, "style": "form",
             "explode": False,
             "description": "minLon,minLat,maxLon,maxLat (CRS84); 6 numbers with heights",
             "schema": {"type": "array", "minItems": 4, "maxItems": 6,
                        "items": {"type": "number"}}},
    "datetime": {"name": "datetime", "in": "query", "required": False, "style": "form",
                 "explode": False, "schema": {"type": "string"},
                 "description": "RFC 3339 instant or interval (`..` for an open end)"},
    "limit": {"name": "limit", "in": "query", "required": False, "style": "form",
              "explode": False, "schema": {"type": "integer", "minimum": 1,
                                           "maximum": conf.MAX_LIMIT,
                                           "default": conf.DEFAULT_LIMIT}},
    "cursor": {"name": "cursor", "in": "query", "required": False, "style": "form",
               "explode": False, "schema": {"type": "string"},
               "description": "Opaque page token from a `next` or `prev` link"},
    "f": {"name": "f", "in": "query", "required": False, "style": "form", "explode": False,
          "schema": {"type": "string", "enum": ["json", "geojson"]}},
    "featureId": {"name": "featureId", "in": "path", "required": True,
                  "schema": {"type": "string"}},
}
OBJECT = {"type": "object"}


def openapi_document(*, principal: Principal, base: str) -> dict:
    """The API definition as the principal sees it (only collections they may see)."""
    paths = {"/": _get("Landing page", "application/json"),
             "/conformance": _get("Conformance classes", "application/json"),
             "/api": _get("This API definition", conf.OPENAPI_MEDIA_TYPE),
             "/collections": _get("Collections", "application/json")}
    for layer in selectors.collection_list(principal=principal):
        here = f"/collections/{layer.slug}"
        paths[here] = _get(f"Collection {layer.slug}", "application/json")
        paths[f"{here}/items"] = _get(f"Features of {layer.slug}", "application/geo+json",
                                      ["bbox", "datetime", "limit", "cursor", "f"])
        paths[f"{here}/items/{{featureId}}"] = _get(f"One feature of {layer.slug}",
                                                    "application/geo+json", ["featureId", "f"])
    return {"openapi": "3.0.3",
            "info": {"title": "ioc-gis OGC API – Features", "version": "1.0.1",
                     "description": "OGC API – Features Part 1 (Core, GeoJSON, OpenAPI 3.0)"},
            "servers": [{"url": base}],
            "paths": paths,
            "components": {"parameters": _parameters(),
                           "schemas": {"exception": {
                               "type": "object", "required": ["code"],
                               "properties": {"code": {"type": "string"},
                                              "description": {"type": "string"}}}}}}


def _parameters() -> dict:
    limit = PARAMETERS["limit"]
    return {**PARAMETERS, "limit": {**limit, "schema": {**limit["schema"],
                                                        "maximum": conf.max_limit()}}}


def _get(summary: str, media_type: str, parameters: list[str] = ()) -> dict:
    error = {"description": "Exception",
             "content": {"application/json": {"schema": {"$ref": "#/components/schemas/exception"}}}}
    return {"get": {"summary": summary,
                    "parameters": [{"$ref": f"#/components/parameters/{p}"} for p in parameters],
                    "responses": {"200": {"description": summary,
                                          "content": {media_type: {"schema": OBJECT}}},
                                  "400": error, "404": error}}}
