"""Every malformed request is a 400 (or 404 for what does not exist) with the OGC exception
document — never a 500, never silently ignored."""
import pytest

pytestmark = pytest.mark.django_db

BAD_ITEMS_QUERIES = [
    "ooga=booga", "limit=unlimited", "limit=0", "limit=-5", "limit=1.5", "limit=", "limit=1e3",
    "bbox=1,2,3", "bbox=1,2,3,4,5", "bbox=a,b,c,d", "bbox=nan,19,106,20", "bbox=105,nan,106,20",
    "bbox=inf,19,106,20", "bbox=105,19,1e999,20", "bbox=105,20,106,19", "bbox=105,-91,106,20",
    "bbox=-181,19,106,20", "bbox=105,19,106,95", "bbox=1..2,19,106,20", "bbox=105,19,106,20,",
    "bbox=105, 19,106,20x", "bbox=1_0,19,106,20", "bbox=105,19,5,106,20,1",
    "bbox=105,19,106,20&bbox=105,19,106,20", "datetime=", "datetime=..", "datetime=../..%2F..",
    "datetime=yesterday", "datetime=2025-13-01", "datetime=2025-02-30", "datetime=0000-01-01",
    "datetime=2025-01-01T25:00:00Z", "datetime=2025-01-01T00:00:00+25:00",
    "datetime=2025-01-02/2025-01-01", "datetime=2025-01-01T00:00:01Z/2025-01-01T00:00:00Z",
    "datetime=2025-01-01T00:00:00Q", "datetime=20250101", "datetime=2025-01-01T00:00Z",
    "cursor=%%%", "cursor=", "cursor=eA", "cursor=" + "A" * 500, "cursor=bgA",
    "f=html", "f=xml", "format=json", "dateTime=2025-01-01",
]


@pytest.mark.parametrize("query", BAD_ITEMS_QUERIES)
def test_bad_items_query_is_a_400_exception_document(api_client, world, query):
    response = api_client.get(f"/ogc/collections/{world.public.slug}/items?{query}")
    assert response.status_code == 400, (query, response.content[:300])
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "InvalidParameterValue" and body["description"]
    assert body["error"]["status"] == 400


@pytest.mark.parametrize("path", ["/ogc/?x=1", "/ogc/conformance?x=1", "/ogc/collections?x=1",
                                  "/ogc/collections/{slug}?limit=10", "/ogc/api?f=yaml",
                                  "/ogc/collections/{slug}/items/in?bbox=1,2,3,4"])
def test_unknown_parameters_on_every_resource(api_client, world, path):
    response = api_client.get(path.format(slug=world.public.slug))
    assert response.status_code == 400 and response.json()["code"] == "InvalidParameterValue"


@pytest.mark.parametrize("path", [
    "/ogc/collections/no-such-layer", "/ogc/collections/no-such-layer/items",
    "/ogc/collections/no-such-layer/items/1", "/ogc/collections/{slug}/items/nope",
    "/ogc/collections/{slug}/items/%00", "/ogc/collections/{slug}/items/" + "x" * 300,
    "/ogc/collections/admin-boundaries", "/ogc/collections/Bad_Slug%00/items",
    "/ogc/collections/{slug}/queryables", "/ogc/whatever"])
def test_what_does_not_exist_is_a_404_exception_document(api_client, world, path):
    response = api_client.get(path.format(slug=world.public.slug))
    assert response.status_code == 404, response.content[:300]
    assert response.json()["code"] == "NotFound"


@pytest.mark.parametrize("query", [
    "bbox=170,-10,-170,10", "bbox=105.9,19.74,105.9,19.74", "bbox=-180,-90,180,90",
    "bbox=105,19,-100,106,20,100", "bbox=%2B105,19,106,20", "bbox=1.05e2,19,106,20",
    "datetime=../2025-01-01", "datetime=2025-01-01T00:00:00Z/..", "datetime=/2025-01-01",
    "datetime=2025-01-01T00:00:00.123456789Z", "datetime=2025-01-01t00:00:00z",
    "datetime=9999-12-31", "datetime=9999-12-31T23:59:59-14:00/..", "datetime=0001-01-01/..",
    "datetime=../..", "datetime=2025-01-01T07:00:00", "limit=99999999999999999999999",
    "limit=1000000", "f=json"])
def test_edge_values_that_are_valid(api_client, world, temporal, query):
    for slug in (world.public.slug, temporal.slug):
        response = api_client.get(f"/ogc/collections/{slug}/items?{query}")
        assert response.status_code == 200, (query, response.content[:300])


def test_limit_is_clamped_at_the_maximum(api_client, temporal, settings):
    settings.IOC_OGC_MAX_LIMIT = 7
    body = api_client.get(f"/ogc/collections/{temporal.slug}/items?limit=5000").json()
    assert body["numberReturned"] == 7


def test_methods_other_than_get_are_405_in_the_same_format(api_client, world):
    response = api_client.post(f"/ogc/collections/{world.public.slug}/items", {}, format="json")
    assert response.status_code == 405 and response.json()["code"] == "MethodNotAllowed"
