"""`POST /api/integration/connectors/{id}/pull/` (who may, 202 with the run's URL, 404, 403,
409s in the API's error format), the admin (pull fields per kind, "Lấy dữ liệu ngay" as an
action and a page), and the connector invariants the database keeps (http/https URL without
credentials, pull kinds need URL and interval, a secret only by an IOC_PULL_SECRET_ name)."""
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction

from integration.models import Connector, ConnectorKind, ImportRun, RunStatus, RunTrigger
from layers.models import Feature
from tests.integration.conftest import MAPPING, geojson, rows
from tests.integration.test_integration_api import client_for
from tests.integration.test_pull_errors import pull_connector, serving

pytestmark = pytest.mark.django_db
source = pytest.fixture(serving, name="source")


def _pull(client, connector_pk: int):
    return client.post(f"/api/integration/connectors/{connector_pk}/pull/")


@pytest.fixture
def pulled(layer, source):
    url = source.add("/tram.geojson", geojson(rows(3)), content_type="application/geo+json")
    return pull_connector(layer, url)


def test_pull_now_answers_202_with_the_run_to_follow(api_client, pulled, layer,
                                                     django_capture_on_commit_callbacks):
    client = client_for(api_client, "administrator")
    with django_capture_on_commit_callbacks(execute=True):
        response = _pull(client, pulled.pk)
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["url"] == f"/api/integration/runs/{body['id']}/" == response["Location"]
    assert (body["status"], body["trigger"], body["source_url"]) == (
        "QUEUED", "MANUAL", pulled.url)
    followed = client.get(body["url"]).json()  # executed after the commit (eager Celery)
    assert (followed["status"], followed["rows_inserted"]) == ("SUCCEEDED", 3), followed
    assert Feature.objects.filter(layer=layer).count() == 3
    run = ImportRun.objects.get(pk=body["id"])
    assert run.created_by.username.startswith("u-admin")
    pulled.refresh_from_db()
    assert pulled.last_pulled_at is not None


@pytest.mark.parametrize("group, sectors, expected", [
    ("sector_operator", ["HEALTH"], 202),
    ("sector_operator", ["SECURITY"], 404),
    ("province_leader", [], 403),
    ("citizen", [], 404),
    (None, [], 404),
])
def test_who_may_pull(api_client, pulled, group, sectors, expected):
    response = _pull(client_for(api_client, group, sectors), pulled.pk)
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert response.json()["error"]["status"] == expected
    assert ImportRun.objects.filter(connector=pulled).count() == (expected == 202)


def test_an_unknown_connector_is_a_404(api_client):
    response = _pull(client_for(api_client, "administrator"), 987654)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_conflicts_are_409s_with_a_code(api_client, pulled, connector):
    client = client_for(api_client, "administrator")
    first = _pull(client, pulled.pk)  # queued; not executed (no commit in this test)
    assert first.status_code == 202
    again = _pull(client, pulled.pk)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "pull_in_progress"
    assert again.json()["error"]["details"] == {"run": first.json()["id"]}
    assert _pull(client, connector.pk).json()["error"]["code"] == "not_a_pull_connector"
    Connector.objects.filter(pk=pulled.pk).update(is_active=False)
    ImportRun.objects.all().delete()
    off = _pull(client, pulled.pk)
    assert (off.status_code, off.json()["error"]["code"]) == (409, "connector_inactive")


def test_a_token_needs_the_layers_write_scope(api_client, pulled, layer):
    from django.utils import timezone

    from access.services import api_token_create

    user = get_user_model().objects.create_user("doi-tac-pull", password=None)
    user.groups.add(Group.objects.get(name="integration_client"))
    expires = timezone.now() + timedelta(hours=1)
    _, read_key = api_token_create(name="r", user=user, scopes=["layers:read"],
                                   expires_at=expires)
    _, write_key = api_token_create(name="w", user=user, expires_at=expires,
                                    scopes=["layers:read", f"layers:write:{layer.slug}"])
    for key, expected in ((read_key, 403), (write_key, 202)):
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert _pull(api_client, pulled.pk).status_code == expected
    assert ImportRun.objects.get(connector=pulled).token is not None


def test_only_post(api_client, pulled):
    response = client_for(api_client, "administrator").get(
        f"/api/integration/connectors/{pulled.pk}/pull/")
    assert response.status_code == 405


# ---- the admin -----------------------------------------------------------------------------

@pytest.fixture
def staff(client):
    """A signed-in HEALTH sector operator with the integration admin rights."""
    from access.models import Jurisdiction
    from layers.models import AdminUnit

    user = get_user_model().objects.create_user("cb-pull", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="sector_operator"))
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="integration"))
    Jurisdiction.objects.create(user=user, sectors=["HEALTH"]).units.set(
        AdminUnit.objects.filter(level="PROVINCE"))
    client.force_login(user)
    return user


def _form(layer, **fields) -> dict:
    data = {"name": "Trạm y tế (API Sở Y tế)", "kind": ConnectorKind.HTTP_GEOJSON,
            "layer": layer.pk, "owner_department": "Sở Y tế", "is_active": "on",
            "field_mapping": '{"name": {"source": "ten"}}', "id_column": "ma",
            "url": "https://api.soyte.thanhhoa.gov.vn/tram.geojson", "pull_interval": "00:15:00",
            "pull_timeout": "30", "auth_header": "", "auth_scheme": "", "secret_env": "",
            "records_path": ""}
    data.update(fields)
    return data


def test_the_admin_form_keeps_pull_settings_for_pull_kinds_only(client, staff, layer):
    page = client.get("/admin/integration/connector/add/")
    html = page.content.decode()
    assert "pull-fields" in html and "integration/connector_kind.js" in html
    assert "Lấy dữ liệu qua HTTP" in html
    response = client.post("/admin/integration/connector/add/", _form(
        layer, records_path="data.items", auth_header="Authorization", auth_scheme="Bearer",
        secret_env="IOC_PULL_SECRET_SO_Y_TE"))
    assert response.status_code == 302, response.content.decode()[-3000:]
    saved = Connector.objects.get(name="Trạm y tế (API Sở Y tế)")
    assert (saved.pull_interval, saved.records_path, saved.secret_env) == (
        timedelta(minutes=15), "", "IOC_PULL_SECRET_SO_Y_TE")  # records path: JSON only
    response = client.post("/admin/integration/connector/add/",
                           _form(layer, name="Tệp", kind=ConnectorKind.FILE))
    assert response.status_code == 302
    as_file = Connector.objects.get(name="Tệp")
    assert (as_file.url, as_file.pull_interval) == ("", None)  # hidden fields dropped


@pytest.mark.parametrize("fields, field, message", [
    ({"url": ""}, "url", "Cần cho kết nối lấy dữ liệu"),
    ({"pull_interval": ""}, "pull_interval", "Cần cho kết nối lấy dữ liệu"),
    ({"url": "ftp://x.vn/a.csv"}, "url", ""),
    ({"auth_header": "Authorization", "secret_env": "SECRET_KEY"}, "secret_env",
     "IOC_PULL_SECRET_"),
])
def test_the_admin_form_explains_bad_pull_settings(client, staff, layer, fields, field,
                                                   message):
    response = client.post("/admin/integration/connector/add/", _form(layer, **fields))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors and message in " ".join(errors[field])
    assert not Connector.objects.filter(name="Trạm y tế (API Sở Y tế)").exists()


def test_the_admin_action_and_page_pull_now(client, staff, pulled, connector,
                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/integration/connector/", {
            "action": "pull_now", "_selected_action": [pulled.pk, connector.pk]}, follow=True)
    text = response.content.decode()
    assert "đang chờ xử lý" in text and "nhận tệp tải lên" in text
    run = ImportRun.objects.get(connector=pulled)
    assert (run.status, run.trigger, run.created_by) == (RunStatus.SUCCEEDED,
                                                         RunTrigger.MANUAL, staff)
    page = client.get(f"/admin/integration/connector/{pulled.pk}/pull/")
    assert page.status_code == 200 and "Lấy dữ liệu ngay" in page.content.decode()
    assert "Lấy ngay" in page.content.decode()  # the run's trigger
    response = client.post(f"/admin/integration/connector/{pulled.pk}/pull/")
    assert response.status_code == 302
    assert ImportRun.objects.filter(connector=pulled).count() == 2
    listing = client.get("/admin/integration/connector/").content.decode()
    assert f"/admin/integration/connector/{pulled.pk}/pull/" in listing


# ---- invariants in the database --------------------------------------------------------------

@pytest.mark.parametrize("fields", [
    {"url": "ftp://x.vn/a.geojson"},
    {"url": "file:///etc/passwd"},
    {"url": "http://user:matkhau@x.vn/a.geojson"},
    {"url": ""},
    {"pull_interval": None},
    {"pull_interval": timedelta(seconds=20)},
    {"pull_timeout": 0},
    {"auth_header": "Authorization", "secret_env": "SECRET_KEY"},
    {"auth_header": "Cookie", "secret_env": "IOC_PULL_SECRET_X"},
    {"auth_header": "", "secret_env": "IOC_PULL_SECRET_X"},
    {"records_path": "data.items"},  # only for JSON REST
    {"kind": ConnectorKind.FILE},  # a file connector has no URL
    {"kind": "FTP"},
])
def test_the_database_refuses_bad_connectors(layer, fields):
    values = {"name": "x", "layer": layer, "owner_department": "Sở Y tế", "id_column": "ma",
              "field_mapping": MAPPING, "kind": ConnectorKind.HTTP_GEOJSON,
              "url": "http://x.vn/a.geojson", "pull_interval": timedelta(hours=1), **fields}
    with pytest.raises(IntegrityError), transaction.atomic():
        Connector.objects.create(**values)


def test_the_database_accepts_a_json_pull_with_a_secret_by_name(layer):
    Connector.objects.create(
        name="x", layer=layer, owner_department="Sở Y tế", id_column="ma",
        kind=ConnectorKind.HTTP_JSON, url="https://api.x.vn/v1/tram?trang=1",
        pull_interval=timedelta(minutes=5), records_path="data.items",
        auth_header="Authorization", auth_scheme="Bearer", secret_env="IOC_PULL_SECRET_X_1")


def test_a_pull_run_names_its_url(connector):
    with pytest.raises(IntegrityError), transaction.atomic():
        ImportRun.objects.create(connector=connector, trigger=RunTrigger.SCHEDULE,
                                 file_name="x", file_size=0)
