"""/api/sources/: the listing a caller may see (sector-bound staff see their sectors' layers'
sources), counts, the actions offered per connector, filters and bad input."""
from datetime import timedelta

import pytest
from django.utils import timezone

from integration.models import Connector, ImportRun, RunStatus
from layers.models import GeometryKind, Sector
from sources.services import sources_check
from tests.factories import make_layer

pytestmark = pytest.mark.django_db
URL = "/api/sources/"


@pytest.fixture
def sources():
    now = timezone.now()
    health = make_layer(slug="api-nguon-yte", sector=Sector.HEALTH, is_public=False,
                        geometry_kind=GeometryKind.POINT, owner_department="Sở Y tế")
    security = make_layer(slug="api-nguon-ca", sector=Sector.SECURITY, is_public=False,
                          geometry_kind=GeometryKind.POINT, owner_department="Công an tỉnh")
    made = {}
    for layer in (health, security):
        connector = Connector.objects.create(name=f"Kết nối {layer.slug}", layer=layer,
                                             owner_department=layer.owner_department,
                                             id_column="ma", update_interval=timedelta(days=1))
        made[layer.sector] = ImportRun.objects.create(
            connector=connector, status=RunStatus.SUCCEEDED, file_name="a.csv", file_size=1,
            driver="CSV", stored_path="a/a.csv", started_at=now - timedelta(days=3),
            finished_at=now - timedelta(days=3), rows_read=3, rows_inserted=2, rows_rejected=1)
    sources_check(now=now)
    return made


def _names(response) -> set[str]:
    return {item["name"] for item in response.json()["results"]}


def test_the_listing_with_counts_actions_and_links(sources, user_of_role, api_of):
    response = api_of(user_of_role("sector_operator", sectors=["HEALTH"])).get(URL)
    assert response.status_code == 200
    body = response.json()
    ours = [item for item in body["results"] if item["subject"].startswith("connector:")]
    assert [item["name"] for item in ours] == ["Kết nối api-nguon-yte"]
    item = ours[0]
    assert item["liveness"] == "STALE" and item["liveness_label"] == "Chậm cập nhật"
    assert item["validity"] == round(2 / 3, 4) and item["expected_hours"] == 24.0
    run = sources[Sector.HEALTH]
    assert item["connector"]["can_upload"] is True and item["connector"]["can_pull"] is False
    assert item["connector"]["last_report_url"] == f"/api/integration/runs/{run.pk}/report.csv"
    assert item["links"] == {"map": "/planner/?layer=api-nguon-yte",
                             "ogc": "/ogc/collections/api-nguon-yte"}
    assert body["counts"]["STALE"] >= 1 and body["checked_at"]
    assert "Kết nối api-nguon-ca" not in _names(response)


def test_readers_without_write_rights_get_no_actions_and_no_report(sources, user_of_role, api_of):
    response = api_of(user_of_role("planner")).get(URL, {"kind": "CONNECTOR"})
    items = response.json()["results"]
    assert {item["name"] for item in items} >= {"Kết nối api-nguon-yte", "Kết nối api-nguon-ca"}
    assert all(not item["connector"]["can_upload"] and not item["connector"]["last_report_url"]
               for item in items)


@pytest.mark.parametrize("query", [{"liveness": "OLD"}, {"sector": "SPACE"}, {"kind": "X"}])
def test_bad_filters_are_400(sources, user_of_role, api_of, query):
    response = api_of(user_of_role("planner")).get(URL, query)
    assert response.status_code == 400 and response.json()["error"]["status"] == 400


def test_filters_reach_the_listing(sources, user_of_role, api_of):
    client = api_of(user_of_role("province_leader"))
    stale = client.get(URL, {"liveness": "STALE", "sector": "SECURITY"}).json()["results"]
    assert [item["name"] for item in stale] == ["Kết nối api-nguon-ca"]


def test_check_now_refreshes_the_listing(sources, user_of_role, api_of):
    connector = Connector.objects.get(name="Kết nối api-nguon-yte")
    now = timezone.now()
    ImportRun.objects.create(connector=connector, status=RunStatus.SUCCEEDED, file_name="b.csv",
                             file_size=1, driver="CSV", stored_path="b/b.csv", started_at=now,
                             finished_at=now, rows_read=1, rows_inserted=1)
    client = api_of(user_of_role("sector_operator", sectors=["HEALTH"]))
    before = {i["name"]: i["liveness"] for i in client.get(URL).json()["results"]}
    after = {i["name"]: i["liveness"] for i in client.post(URL + "check/").json()["results"]}
    assert before["Kết nối api-nguon-yte"] == "STALE"
    assert after["Kết nối api-nguon-yte"] == "FRESH"
    assert api_of(user_of_role("planner")).post(URL + "check/").status_code == 403


def test_a_finished_run_refreshes_its_connector_at_once(sources, user_of_role, api_of, tmp_path,
                                                          settings):
    """The data page shows an upload's result without waiting for the next full check."""
    import io
    import json

    from integration.services import import_run_execute, import_run_start

    settings.IOC_IMPORT_DIR = tmp_path
    connector = Connector.objects.get(name="Kết nối api-nguon-yte")
    connector.field_mapping = {"name": {"source": "ten"}}
    connector.save()
    body = json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"ma": "A1", "ten": "Trạm A"},
        "geometry": {"type": "Point", "coordinates": [105.78, 19.8]}}]}).encode()
    run = import_run_start(connector=connector, principal=None, file=io.BytesIO(body),
                           file_name="a.geojson", size=len(body), dispatch=False)
    assert import_run_execute(run=run).status == RunStatus.SUCCEEDED
    listing = api_of(user_of_role("province_leader")).get(URL, {"kind": "CONNECTOR"}).json()
    item = next(i for i in listing["results"] if i["name"] == "Kết nối api-nguon-yte")
    assert item["liveness"] == "FRESH" and item["connector"]["last_run_url"].endswith(
        f"/runs/{run.pk}/")
    layer = next(i for i in api_of(user_of_role("province_leader")).get(URL, {"kind": "LAYER"})
                 .json()["results"] if i["subject"] == "layer:api-nguon-yte")
    assert layer["feature_count"] == 1 and layer["liveness"] == "UNSCHEDULED"
