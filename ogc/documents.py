"""The documents of the API: landing page, conformance, collections, features and feature.
Each builder takes the principal and the API's absolute base URL (`…/ogc`) and makes the reads
through ogc.selectors; features are rendered by `layers.feature_api.feature_geojson`, so a
caller gets exactly the properties the feature API would give them."""
from datetime import datetime, timezone
from urllib.parse import quote, urlencode

from access.principal import Principal
from layers.feature_api import feature_geojson
from layers.models import Feature, Layer

from . import conf, selectors
from .params import ItemsQuery

JSON = "application/json"
GEOJSON = "application/geo+json"
TITLE = "ioc-gis · Thanh Hóa — OGC API – Features"


def link(href: str, rel: str, media_type: str, title: str | None = None) -> dict:
    """One link object (href, rel, type and an optional title)."""
    found = {"href": href, "rel": rel, "type": media_type}
    if title:
        found["title"] = title
    return found


def landing_document(*, base: str) -> dict:
    """The landing page: where the API definition, conformance and collections are."""
    return {"title": TITLE,
            "description": "Các lớp bản đồ của Trung tâm Điều hành thông minh tỉnh Thanh Hóa "
                           "mà người gọi được xem / the IOC's map layers the caller may see.",
            "links": [link(f"{base}/", "self", JSON, "Trang này / this document"),
                      link(f"{base}/api", "service-desc", conf.OPENAPI_MEDIA_TYPE,
                           "Định nghĩa API (OpenAPI 3.0)"),
                      link(f"{base}/conformance", "conformance", JSON, "Conformance classes"),
                      link(f"{base}/collections", "data", JSON, "Các tập đối tượng")]}


def conformance_document() -> dict:
    """The conformance classes the API implements."""
    return {"conformsTo": list(conf.CONFORMANCE_CLASSES)}


def collections_document(*, principal: Principal, base: str) -> dict:
    """Every collection the principal may see."""
    return {"links": [link(f"{base}/collections", "self", JSON)],
            "collections": [_collection(principal=principal, layer=layer, base=base)
                            for layer in selectors.collection_list(principal=principal)],
            "crs": [conf.CRS84]}


def collection_document(*, principal: Principal, collection_id: str, base: str) -> dict:
    """One collection (404 when the principal may not see it)."""
    layer = selectors.collection_get(principal=principal, collection_id=collection_id)
    return _collection(principal=principal, layer=layer, base=base)


def items_document(*, principal: Principal, collection_id: str, query: ItemsQuery,
                   query_params, base: str) -> dict:
    """A page of a collection's features as a GeoJSON FeatureCollection with paging links
    that keep the request's other parameters."""
    layer = selectors.collection_get(principal=principal, collection_id=collection_id)
    page = selectors.items_page(principal=principal, layer=layer, query=query)
    here = f"{base}/collections/{layer.slug}/items"
    kept = [(name, value) for name, value in query_params.items() if name != "cursor"]
    links = [link(_with(here, query_params.items()), "self", GEOJSON),
             link(f"{base}/collections/{layer.slug}", "collection", JSON, layer.title_vi)]
    if page.next is not None:
        links.append(link(_with(here, [*kept, ("cursor", page.next.token())]), "next", GEOJSON,
                          "Trang sau / next page"))
    if page.prev is not None:
        links.append(link(_with(here, [*kept, ("cursor", page.prev.token())]), "prev", GEOJSON,
                          "Trang trước / previous page"))
    document = {"type": "FeatureCollection",
                "features": [feature_document(f, layer, principal) for f in page.features],
                "timeStamp": _instant(datetime.now(timezone.utc)),
                "numberReturned": len(page.features), "links": links}
    if page.number_matched is not None:
        document["numberMatched"] = page.number_matched
    return document


def item_document(*, principal: Principal, collection_id: str, feature_id: str,
                  base: str) -> dict:
    """One feature with its links (404 when out of the principal's reach)."""
    layer = selectors.collection_get(principal=principal, collection_id=collection_id)
    feature = selectors.item_get(principal=principal, layer=layer, feature_id=feature_id)
    document = feature_document(feature, layer, principal)
    collection = f"{base}/collections/{layer.slug}"
    document["links"] = [
        link(f"{collection}/items/{quote(feature.external_id, safe='')}", "self", GEOJSON),
        link(collection, "collection", JSON, layer.title_vi)]
    return document


def feature_document(feature: Feature, layer: Layer, principal: Principal) -> dict:
    """A GeoJSON feature: `feature_geojson`'s properties plus, as properties a GIS client
    reads, the observation time (temporal layers) and the current commune code."""
    found = feature_geojson(feature, layer, principal)
    properties = dict(found["properties"])
    if layer.is_temporal:
        properties.setdefault("observed_at", found["observed_at"] and _instant(
            found["observed_at"]))
    properties.setdefault("commune_code", found["commune_code"])
    return {"type": "Feature", "id": found["id"], "geometry": found["geometry"],
            "properties": properties}


def _collection(*, principal: Principal, layer: Layer, base: str) -> dict:
    here = f"{base}/collections/{layer.slug}"
    document = {"id": layer.slug, "title": layer.title_vi,
                "description": layer.description_vi or layer.title_en,
                "itemType": "feature", "crs": [conf.CRS84],
                "links": [link(here, "self", JSON, layer.title_vi),
                          link(f"{here}/items", "items", GEOJSON, "Các đối tượng / features")]}
    extent = _extent(selectors.collection_extent(principal=principal, layer=layer))
    if extent:
        document["extent"] = extent
    return document


def _extent(extent: selectors.CollectionExtent) -> dict:
    found = {}
    if extent.bbox is not None:
        found["spatial"] = {"bbox": [[round(v, 7) for v in extent.bbox]], "crs": conf.CRS84}
    if extent.first is not None:
        found["temporal"] = {"interval": [[_instant(extent.first), _instant(extent.last)]],
                             "trs": conf.GREGORIAN}
    return found


def _instant(moment: datetime) -> str:
    """RFC 3339 in UTC with a `Z`, to the second."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _with(url: str, params) -> str:
    params = list(params)
    return f"{url}?{urlencode(params)}" if params else url
