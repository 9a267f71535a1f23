"""Every failure on /open311/v2/ is a 4xx in the spec's error format (JSON or XML), never a
500, never DRF's or Django's own error pages — including garbage input."""
from datetime import timedelta

import pytest
from django.utils import timezone

from access.models import ApiToken
from incidents.models import Incident
from tests.open311.conftest import FAR_AWAY, SAM_SON, make_key, post
from tests.open311.open311_checks import BASE, assert_spec_error

pytestmark = pytest.mark.django_db
GOOD = {"service_code": "ngap-ung", "lat": SAM_SON[1], "long": SAM_SON[0]}


@pytest.mark.parametrize("path, status", [
    ("services.yaml", 400), ("services", 400), ("services.", 400), ("services.JSON", 400),
    ("requests/PA-00000000.html", 400), ("services/ngap-ung", 400),
    ("services/khong-co.json", 404), ("requests/PA-00000000.json", 404),
    ("requests/abc.json", 404), ("tokens/PA-00000000.json", 404), ("nothing.json", 404),
    ("services.json/", 404), ("services/ngap%00ung.json", 404), ("", 404),
    ("requests/PA-00000000.json/extra", 404),
])
def test_bad_paths(client, path, status):
    assert_spec_error(client.get(f"{BASE}/{path}"), status)


def test_errors_come_in_the_requested_format(client):
    entries = assert_spec_error(client.get(f"{BASE}/services/khong-co.xml"), 404, fmt="xml")
    assert "khong-co" in entries[0]["description"]
    assert_spec_error(client.get(f"{BASE}/nothing.xml"), 404, fmt="xml")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_jurisdiction_is_404(client, api_key, fmt):
    entries = assert_spec_error(
        client.get(f"{BASE}/services.{fmt}?jurisdiction_id=hanoi.gov.vn"), 404, fmt)
    assert "jurisdiction_id" in entries[0]["description"]
    assert_spec_error(post(client, f"{BASE}/requests.{fmt}", jurisdiction_id="hanoi.gov.vn",
                           api_key=api_key, **GOOD), 404, fmt)
    assert not Incident.objects.exists()


@pytest.mark.parametrize("query", [
    "start_date=hôm-qua", "start_date=2026-13-01", "end_date=2026-01-01T25:00:00",
    "start_date=2026-01-01T00:00:00%2B99:00", "start_date=0001-01-01T00:00:00%2B01:00",
    "start_date=9999-12-31", "start_date=2026-02-01&end_date=2026-01-01",
    "start_date=2026-01-01&end_date=2026-06-01", "status=pending", "status=open,done",
    "service_code=khong-co", "service_code=NGAP UNG", "service_request_id=123",
    "service_request_id=PA-" + "A" * 5000, "start_date=" + "9" * 100,
    "service_code=%00", "start_date=%00", "service_request_id=%FF%FE",
])
def test_bad_filters_are_400(client, query):
    entries = assert_spec_error(client.get(f"{BASE}/requests.json?{query}"), 400)
    assert entries[0]["description"].split(":")[0] in {
        "start_date", "end_date", "status", "service_code", "service_request_id"}


def test_unknown_parameters_and_non_utf8_are_harmless(client):
    assert client.get(f"{BASE}/requests.json?foo=bar&%FF%FE=%C3%28").status_code == 200
    assert client.get(f"{BASE}/services.xml?page=2&x=" + "y" * 5000).status_code == 200


def test_missing_and_bad_api_keys_are_403(client):
    assert_spec_error(post(client, **GOOD), 403)
    assert_spec_error(post(client, f"{BASE}/requests.xml", **GOOD), 403, fmt="xml")
    for key in ("khong-phai-khoa", "abcdefgh.sai", "\x00bcdefgh.x", "é" * 8 + ".x", ""):
        assert_spec_error(post(client, api_key=key, **GOOD), 403)
    no_scope = make_key(scopes=["reports:submit"])
    entries = assert_spec_error(post(client, api_key=no_scope, **GOOD), 403)
    assert "open311:write" in entries[0]["description"] or "quyền" in entries[0]["description"]
    revoked = make_key()
    ApiToken.objects.filter(prefix=revoked.split(".")[0]).update(revoked_at=timezone.now())
    assert_spec_error(post(client, api_key=revoked, **GOOD), 403)
    expired = make_key()
    ApiToken.objects.filter(prefix=expired.split(".")[0]).update(
        expires_at=timezone.now() - timedelta(seconds=1))
    assert_spec_error(post(client, api_key=expired, **GOOD), 403)
    assert not Incident.objects.exists()


def test_api_key_in_the_query_string_is_accepted(client, api_key):
    response = post(client, f"{BASE}/requests.json?api_key={api_key}", **GOOD)
    assert response.status_code == 200, response.content


def test_a_point_outside_the_province_is_a_clear_400(client, api_key):
    for fmt in ("json", "xml"):
        (entry,) = assert_spec_error(post(
            client, f"{BASE}/requests.{fmt}", api_key=api_key, service_code="ngap-ung",
            lat=FAR_AWAY[1], long=FAR_AWAY[0]), 400, fmt)
        assert "ngoài địa bàn tỉnh Thanh Hóa" in entry["description"]
        assert "outside Thanh Hóa province" in entry["description"]
    assert not Incident.objects.exists()


@pytest.mark.parametrize("changes", [
    {"service_code": "khong-co"}, {"service_code": ""}, {"service_code": "x" * 5000},
    {"lat": "NaN"}, {"long": "inf"}, {"lat": "-Infinity"}, {"lat": "95"}, {"long": "1e309"},
    {"lat": "abc"}, {"lat": "1" * 2000}, {"long": None}, {"lat": None, "long": None},
    {"description": "x" * 4001}, {"description": "có\x00NUL"}, {"email": "khong-phai-email"},
    {"email": "a@" + "b" * 300 + ".vn"}, {"phone": "+" + "1" * 20}, {"phone": "gọi tôi"},
    {"first_name": "A" * 51}, {"address_string": "x" * 301}, {"device_id": "d" * 101},
])
def test_garbage_is_400_and_stores_nothing(client, api_key, changes):
    data = {**GOOD, "api_key": api_key, **changes}
    data = {k: v for k, v in data.items() if v is not None}
    entries = assert_spec_error(post(client, **data), 400)
    assert all(e["description"] for e in entries)
    assert not Incident.objects.exists()


def test_non_utf8_form_body_is_not_a_500(client, api_key):
    body = f"api_key={api_key}&service_code=ngap-ung&lat=19.74&long=105.9&description=%FF%FE"
    response = client.generic("POST", f"{BASE}/requests.json", body,
                              content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200  # undecodable bytes become U+FFFD
    raw = client.generic("POST", f"{BASE}/requests.json", b"\xff\xfe=\xc3\x28&api_key=x",
                         content_type="application/x-www-form-urlencoded")
    assert_spec_error(raw, 403)


def test_wrong_body_types_methods_and_sizes(client, api_key, settings):
    json_body = client.post(f"{BASE}/requests.json", {**GOOD, "api_key": api_key},
                            format="json")
    assert_spec_error(json_body, 415)
    assert_spec_error(client.put(f"{BASE}/requests.json"), 405)
    assert_spec_error(client.delete(f"{BASE}/services.xml"), 405, fmt="xml")
    assert_spec_error(post(client, f"{BASE}/services.json", api_key=api_key), 405)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    assert_spec_error(post(client, api_key=api_key, description="x" * 2000, **GOOD), 413)
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    fields = "&".join(f"f{i}=1" for i in range(10))
    too_many = client.generic("POST", f"{BASE}/requests.json", fields,
                              content_type="application/x-www-form-urlencoded")
    assert_spec_error(too_many, 400)
    assert not Incident.objects.exists()


def test_too_many_query_parameters_is_400(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    query = "&".join(f"f{i}=1" for i in range(10))
    assert_spec_error(client.get(f"{BASE}/requests.xml?{query}"), 400, fmt="xml")


def test_open311_is_not_in_our_openapi_document(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert not [path for path in schema["paths"] if path.startswith("/open311/")]

