"""The data page (/data/): who may open it, what its config carries per role (the check, the
alerts panel, acknowledging), no inline script, Vietnamese with an English switch, and labels
that cover every choice the API returns."""
import json
import re

import pytest
from django.test import Client
from django.urls import resolve
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from alerts.models import AlertKind, Severity
from integration.models import ConnectorKind, RunPhase, RunStatus
from layers.models import Sector
from sources import views
from sources.models import Liveness, SourceKind

pytestmark = pytest.mark.django_db
URL = "/data/"


def signed_in(user, language: str | None = None) -> Client:
    """A client signed in as `user`; an administrator's session has passed the second factor
    (the screens demand it of administrators)."""
    client = Client()
    client.force_login(user)
    if user.groups.filter(name="administrator").exists():
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    if language:
        client.cookies["django_language"] = language
    return client


def config_of(response) -> dict:
    block = re.search(r'<script id="screen-config" type="application/json">(.*?)</script>',
                      response.content.decode(), re.S)
    return json.loads(block.group(1))


def test_anonymous_callers_go_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    assert "next=/data/" in response.headers["Location"]


@pytest.mark.parametrize("role", ["citizen", None])
def test_users_without_feature_rights_get_the_403_page(user_of_role, django_user_model, role):
    user = user_of_role(role) if role else django_user_model.objects.create_user("khong-vai-tro",
                                                                          password="x")
    response = signed_in(user).get(URL)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Tài khoản không có quyền xem nguồn dữ liệu." in html
    assert "screen-config" not in html


def test_an_operator_gets_the_page_with_its_config(user_of_role):
    response = signed_in(user_of_role("sector_operator", sectors=[Sector.HEALTH])).get(URL)
    assert response.status_code == 200
    assert "no-cache" in response.headers["Cache-Control"]
    html = response.content.decode()
    assert '<html lang="vi">' in html and "Nguồn dữ liệu</h1>" in html
    config = config_of(response)
    assert config["list_url"] == "/api/sources/" and config["check_url"] == "/api/sources/check/"
    assert config["alerts_url"] == "/api/alerts/"
    assert config["poll_ms"] == 700 and config["language"] == "vi"
    assert config["labels"]["liveness"]["STALE"] == "Chậm cập nhật"
    assert config["strings"]["upload"] == "Tải tệp lên"
    assert config["strings"]["pull"] == "Lấy dữ liệu ngay"
    # The {id} templates name the API's own routes.
    for key, name in [("run_url", "integration-run-detail"),
                      ("acknowledge_url", "alert-acknowledge")]:
        match = resolve(config[key].replace("{id}", "42"))
        assert (match.url_name, match.kwargs) == (name, {"pk": 42})
    # Only files of ours run: every script is a file or the JSON block.
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts)
    for asset in ("sources/data.js", "sources/data-runs.js", "sources/data-alerts.js",
                  "sources/data.css"):
        assert asset in html


@pytest.mark.parametrize("role, sectors, check, alerts, acknowledge", [
    ("sector_operator", [Sector.HEALTH], True, True, True),
    ("administrator", None, True, True, True),
    ("province_leader", None, False, True, True),
    ("planner", None, False, True, False),
    ("unit_official", None, False, True, False),
    ("field_staff", [Sector.HEALTH], False, False, False),
    ("wall_display", None, False, False, False),
])
def test_the_config_carries_each_roles_rights(user_of_role, role, sectors, check, alerts, acknowledge):
    response = signed_in(user_of_role(role, sectors=sectors)).get(URL)
    assert response.status_code == 200
    config = config_of(response)
    assert (config["may_check"], config["may_read_alerts"], config["may_acknowledge"]) == (
        check, alerts, acknowledge)
    html = response.content.decode()
    assert ('id="check-now"' in html) is check
    assert ('id="alert-list"' in html) is alerts


def test_the_check_flag_matches_what_the_check_api_allows(user_of_role):
    """The button is shown exactly to those the API lets run the check."""
    for role, sectors in [("sector_operator", [Sector.HEALTH]), ("planner", None)]:
        user = user_of_role(role, sectors=sectors)
        client = signed_in(user)
        shown = config_of(client.get(URL))["may_check"]
        answer = client.post("/api/sources/check/")
        assert (answer.status_code == 200) is shown, (role, answer.status_code)


def test_english_switch(user_of_role):
    response = signed_in(user_of_role("sector_operator", sectors=[Sector.HEALTH]), language="en").get(URL)
    html = response.content.decode()
    assert '<html lang="en">' in html and "Data sources</h1>" in html
    assert "Check again" in html and "Open alerts" in html
    config = config_of(response)
    assert config["language"] == "en"
    assert config["strings"]["upload"] == "Upload a file"
    assert config["strings"]["checked_at"] == "checked at {time}"
    assert config["labels"]["liveness"]["STALE"] == "Stale"
    assert config["labels"]["sector"]["HEALTH"] == "Health"
    assert config["labels"]["severity"]["CRITICAL"] == "Critical"
    assert "Nguồn dữ liệu" not in html.split("<main", 1)[1]


def test_every_english_string_is_translated(user_of_role):
    """No string or label of the page falls back to Vietnamese in English (placeholders and
    proper names aside)."""
    config = config_of(signed_in(user_of_role("administrator"), language="en").get(URL))
    vietnamese = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữự"
                            r"ỳýỷỹỵ]", re.I)
    texts = list(config["strings"].values()) + [
        text for group in config["labels"].values() for text in group.values()]
    assert [text for text in texts if vietnamese.search(text)] == []


@pytest.mark.parametrize("labels, choices", [
    (views.LIVENESS_LABELS, Liveness.choices), (views.KIND_LABELS, SourceKind.choices),
    (views.CONNECTOR_KIND_LABELS, ConnectorKind.choices), (views.SECTOR_LABELS, Sector.choices),
    (views.SEVERITY_LABELS, Severity.choices), (views.ALERT_KIND_LABELS, AlertKind.choices),
    (views.RUN_STATUS_LABELS, RunStatus.choices), (views.RUN_PHASE_LABELS, RunPhase.choices),
], ids=["liveness", "kind", "connector_kind", "sector", "severity", "alert_kind", "run_status",
        "run_phase"])
def test_the_pages_labels_are_the_models_choices(labels, choices):
    """Same codes, same Vietnamese words as the models: the page cannot drift from the API."""
    with translation.override("vi"):
        assert {str(code): str(label) for code, label in labels.items()} == dict(choices)
