"""The upload API: 202 with a queued run, executed by Celery after the commit (eager here),
status and progress JSON, errors in the API's format, and who may do what."""
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from integration.models import ImportRun, RunStatus
from layers.models import Feature
from tests.integration.conftest import geojson, rows, upload_bytes

pytestmark = pytest.mark.django_db


def client_for(api_client, group: str | None, sectors=()):
    from access.models import Jurisdiction

    user = get_user_model().objects.create_user(f"u-{group}-{len(sectors)}", password="x")
    if group:
        user.groups.add(Group.objects.get(name=group))
    if sectors:
        Jurisdiction.objects.create(user=user, sectors=list(sectors))
    api_client.force_authenticate(user)
    return api_client


def upload(client, connector, content: bytes, name: str = "tram.geojson"):
    return client.post(f"/api/integration/connectors/{connector.pk}/runs/",
                       {"file": upload_bytes(content, name)}, format="multipart")


def test_upload_queues_then_runs_after_commit(api_client, connector, layer,
                                              django_capture_on_commit_callbacks):
    client = client_for(api_client, "administrator")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = upload(client, connector, geojson(rows(5)))
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "QUEUED" and body["driver"] == "GeoJSON"
    assert body["report_url"] == f"/api/integration/runs/{body['id']}/report.csv"
    assert len(callbacks) >= 1  # the Celery task, eager without a broker
    status = client.get(f"/api/integration/runs/{body['id']}/").json()
    assert status["status"] == "SUCCEEDED" and status["rows_inserted"] == 5
    assert (status["progress_done"], status["progress_total"]) == (5, 5)
    assert Feature.objects.filter(layer=layer).count() == 5
    assert ImportRun.objects.get(pk=body["id"]).created_by.username.startswith("u-admin")


def test_bad_upload_is_a_400_in_the_api_format(api_client, connector):
    client = client_for(api_client, "administrator")
    response = upload(client, connector, b"\x00\x01garbage", "x.bin")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "wrong_format"
    assert not ImportRun.objects.exists()


def test_declared_oversized_body_is_refused_before_reading(api_client, connector, settings):
    settings.IOC_IMPORT_MAX_UPLOAD_BYTES = 1000
    client = client_for(api_client, "administrator")
    response = upload(client, connector, geojson(rows(200)))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "upload_too_large"


def test_a_vsicurl_name_through_the_api_never_reaches_gdal(api_client, connector,
                                                             django_capture_on_commit_callbacks):
    client = client_for(api_client, "administrator")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, connector, geojson(rows(1)), "/vsicurl/http://x/a.geojson")
    # Django keeps only the base name of an uploaded file; the file is stored as data.geojson
    assert response.status_code == 202
    run = ImportRun.objects.get()
    assert "/vsi" not in run.stored_path and run.stored_path.endswith("/data.geojson")


@pytest.mark.parametrize("group, sectors, expected", [
    ("sector_operator", ["HEALTH"], 202),      # the layer's sector, province-wide here
    ("sector_operator", ["SECURITY"], 404),    # another sector: the connector is not there
    ("province_leader", [], 403),              # sees the layer, may not write it
    ("citizen", [], 404),
    (None, [], 404),
])
def test_who_may_upload(api_client, connector, group, sectors, expected):
    client = client_for(api_client, group, sectors)
    response = upload(client, connector, geojson(rows(1)))
    assert response.status_code == expected, response.content
    assert response.json()["error"]["status"] == expected if expected >= 400 else True


@pytest.mark.parametrize("group, sectors, status_code, report_code", [
    ("sector_operator", ["HEALTH"], 200, 200),
    ("sector_operator", ["SECURITY"], 404, 404),
    ("province_leader", [], 200, 403),
])
def test_who_may_follow_a_run(api_client, connector, group, sectors, status_code, report_code):
    run = ImportRun.objects.create(connector=connector, file_name="a.csv", file_size=1,
                                   stored_path="x/data.csv", driver="CSV")
    client = client_for(api_client, group, sectors)
    assert client.get(f"/api/integration/runs/{run.pk}/").status_code == status_code
    assert client.get(f"/api/integration/runs/{run.pk}/report.csv").status_code == report_code


def test_token_needs_the_layers_write_scope(api_client, connector, layer):
    from datetime import timedelta

    from django.utils import timezone

    from access.services import api_token_create

    user = get_user_model().objects.create_user("doi-tac", password=None)
    user.groups.add(Group.objects.get(name="integration_client"))
    expires = timezone.now() + timedelta(hours=1)
    _, read_key = api_token_create(name="r", user=user, scopes=["layers:read"],
                                   expires_at=expires)
    _, write_key = api_token_create(name="w", user=user, expires_at=expires,
                                    scopes=["layers:read", f"layers:write:{layer.slug}"])
    for key, expected in ((read_key, 403), (write_key, 202)):
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        response = upload(api_client, connector, geojson(rows(1)))
        assert response.status_code == expected, response.content
    assert ImportRun.objects.get().token is not None


def test_inactive_connector_is_a_conflict(api_client, connector):
    connector.is_active = False
    connector.save()
    response = upload(client_for(api_client, "administrator"), connector, geojson(rows(1)))
    assert response.status_code == 409


def test_the_admin_upload_page(client, connector, layer, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Permission

    from access.models import Jurisdiction
    from layers.models import AdminUnit

    staff = get_user_model().objects.create_user("cb-so-y-te", password="x", is_staff=True)
    staff.groups.add(Group.objects.get(name="sector_operator"))
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="integration",
                                                          codename__startswith="view_"))
    Jurisdiction.objects.create(user=staff, sectors=["HEALTH"]).units.set(
        AdminUnit.objects.filter(level="PROVINCE"))
    client.force_login(staff)
    page = client.get(f"/admin/integration/connector/{connector.pk}/upload/")
    assert page.status_code == 200 and "Tải lên và nhập" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/integration/connector/{connector.pk}/upload/",
                               {"file": upload_bytes(geojson(rows(3)), "tram.geojson")})
    assert response.status_code == 302
    assert ImportRun.objects.get().status == RunStatus.SUCCEEDED
    listing = client.get("/admin/integration/importrun/")
    assert listing.status_code == 200 and "CSV (0 dòng bị loại)" in listing.content.decode()
