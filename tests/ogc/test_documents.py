"""Shapes of the documents, validated against the OGC API – Features schemas (the YAML schemas
ogctests ships), plus the members the spec requires that the schemas leave optional."""
import jsonschema
import pytest
import yaml

from ogc import conf
from tests.ogc.conftest import ogctests_schemas

pytestmark = pytest.mark.django_db


def test_landing_page(api_client, ogc_schema):
    response = api_client.get("/ogc/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    ogc_schema(body, "landingPage")
    rels = {link["rel"]: link for link in body["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= set(rels)
    assert rels["service-desc"]["type"] == conf.OPENAPI_MEDIA_TYPE
    assert all(link["href"].startswith("http://testserver/ogc/") for link in body["links"])


def test_conformance(api_client, ogc_schema):
    body = api_client.get("/ogc/conformance").json()
    ogc_schema(body, "confClasses")
    assert set(body["conformsTo"]) == set(conf.CONFORMANCE_CLASSES)


def test_openapi_definition_is_valid_and_lists_visible_collections(api_client, world):
    response = api_client.get("/ogc/api")
    assert response["Content-Type"] == conf.OPENAPI_MEDIA_TYPE
    body = response.json()
    meta_schema = yaml.safe_load((ogctests_schemas() / "openapi_schema_v3.0.yaml").read_text())
    jsonschema.Draft4Validator(meta_schema).validate(body)  # the OpenAPI 3.0 schema
    assert f"/collections/{world.public.slug}/items" in body["paths"]
    assert not any(world.private.slug in path for path in body["paths"])


def test_collections_and_collection(api_client, world, temporal, ogc_schema):
    body = api_client.get("/ogc/collections").json()
    ogc_schema(body, "collections")
    by_id = {c["id"]: c for c in body["collections"]}
    assert world.private.slug not in by_id and "admin-boundaries" not in by_id
    events = by_id[temporal.slug]
    assert events["itemType"] == "feature" and events["crs"] == [conf.CRS84]
    assert {link["rel"] for link in events["links"]} >= {"self", "items"}
    west, south, east, north = events["extent"]["spatial"]["bbox"][0]
    assert (west, south, east, north) == pytest.approx((105.85, 19.70, 105.90, 19.74))
    assert events["extent"]["temporal"]["interval"] == [["2025-03-01T06:00:00Z",
                                                        "2025-03-30T06:00:00Z"]]
    assert "temporal" not in by_id[world.public.slug]["extent"]
    single = api_client.get(f"/ogc/collections/{temporal.slug}").json()
    ogc_schema(single, "collection")
    assert single == events


def test_items_and_item(api_client, temporal, ogc_schema):
    response = api_client.get(f"/ogc/collections/{temporal.slug}/items")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    ogc_schema(body, "featureCollectionGeoJSON")
    assert body["numberReturned"] == len(body["features"]) == conf.DEFAULT_LIMIT
    assert body["numberMatched"] == 30
    assert body["timeStamp"].endswith("Z")
    assert {link["rel"] for link in body["links"]} == {"self", "next", "collection"}
    first = body["features"][0]
    item = api_client.get(f"/ogc/collections/{temporal.slug}/items/{first['id']}")
    assert item["Content-Type"] == "application/geo+json"
    feature = item.json()
    ogc_schema(feature, "featureGeoJSON")
    assert {link["rel"] for link in feature["links"]} == {"self", "collection"}
    assert feature["properties"]["observed_at"] == "2025-03-01T06:00:00Z"
    assert {k: v for k, v in feature.items() if k != "links"} == first


@pytest.mark.parametrize("path", ["/ogc/conformance/", "/ogc/collections/",
                                  "/ogc/collections/{slug}/", "/ogc/collections/{slug}/items/"])
def test_trailing_slash_is_the_same_resource(api_client, world, path):
    assert api_client.get(path.format(slug=world.public.slug)).status_code == 200


def test_f_json_and_any_accept_header(api_client, world):
    items = f"/ogc/collections/{world.public.slug}/items"
    assert api_client.get(items, {"f": "json"}).status_code == 200
    assert api_client.get(items, {"f": "geojson"}).status_code == 200
    html = api_client.get("/ogc/collections", HTTP_ACCEPT="text/html")
    assert html.status_code == 200 and html["Content-Type"] == "application/json"
    refused = api_client.get("/ogc/collections", {"f": "html"})
    assert refused.status_code == 400 and refused.json()["code"] == "InvalidParameterValue"
