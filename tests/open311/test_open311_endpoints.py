"""Every Open311 endpoint, in JSON and XML, valid under the GeoReport v2 schemas and with the
spec's XML element names."""
import pytest

from incidents.models import Category
from incidents.services import incident_photo_add
from tests.open311.conftest import SAM_SON, post, report
from tests.open311.open311_checks import BASE, json_body, validate, xml_items

pytestmark = pytest.mark.django_db


def _jpeg() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, format="JPEG")
    return buffer.getvalue()


def test_discovery_json_and_xml(client):
    data = json_body(client.get(f"{BASE}/discovery.json"))
    endpoint = data["endpoints"][0]
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    assert data["changeset"].endswith("+07:00") and data["key_service"] and data["contact"]
    root = xml_items(client.get(f"{BASE}/discovery.xml"), "discovery", None)
    assert [child.tag for child in root] == ["changeset", "contact", "key_service", "endpoints"]
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == [
        "text/xml", "application/json"]


def test_services_are_our_categories(client):
    data = json_body(client.get(f"{BASE}/services.json"))
    validate("services.json", data)
    assert [s["service_code"] for s in data] == list(
        Category.objects.filter(is_active=True).order_by("sector", "code")
        .values_list("code", flat=True))
    pothole = next(s for s in data if s["service_code"] == "hu-hong-mat-duong")
    assert pothole["service_name"] == "Hư hỏng mặt đường, ổ gà"
    assert pothole["group"] == "Giao thông" and pothole["type"] == "realtime"
    assert pothole["metadata"] is False
    root = xml_items(client.get(f"{BASE}/services.xml"), "services", "service")
    assert len(root) == len(data)
    first = root[0]
    assert first.findtext("service_code") == data[0]["service_code"]
    assert first.findtext("metadata") == "false"


def test_service_definition(client):
    data = json_body(client.get(f"{BASE}/services/ngap-ung.json"))
    validate("service-definition.json", data)
    assert data == {"service_code": "ngap-ung", "attributes": []}
    root = xml_items(client.get(f"{BASE}/services/ngap-ung.xml"), "service_definition", None)
    assert root.findtext("service_code") == "ngap-ung"
    assert root.find("attributes") is not None and len(root.find("attributes")) == 0


def test_requests_list_and_one_request(client):
    incident = report()
    incident_photo_add(public_id=incident.public_id, data=_jpeg())
    data = json_body(client.get(f"{BASE}/requests.json"))
    validate("requests.json", data)
    mine = next(r for r in data if r["service_request_id"] == incident.public_id)
    assert mine["status"] == "open" and mine["status_notes"] == "Mới tiếp nhận"
    assert mine["service_code"] == "hu-hong-mat-duong"
    assert mine["service_name"] == "Hư hỏng mặt đường, ổ gà"
    assert mine["description"] == "Ổ gà lớn trước chợ\nỔ gà sâu giữa đường, xe máy dễ ngã"
    assert mine["agency_responsible"] == "Sở Xây dựng"
    assert mine["address_id"] == incident.commune_code and mine["zipcode"] is None
    assert (mine["long"], mine["lat"]) == SAM_SON
    assert mine["media_url"] == (f"http://testserver/api/reports/{incident.public_id}"
                                 "/photos/1/")
    assert client.get(mine["media_url"]).status_code == 200
    one = json_body(client.get(f"{BASE}/requests/{incident.public_id}.json"))
    validate("requests.json", one)
    assert one == [mine]

    root = xml_items(client.get(f"{BASE}/requests/{incident.public_id}.xml"),
                     "service_requests", "request")
    (request,) = root
    assert [child.tag for child in request] == list(mine)
    assert request.findtext("service_request_id") == incident.public_id
    assert request.findtext("zipcode") == "" and float(request.findtext("lat")) == SAM_SON[1]
    assert request.findtext("requested_datetime") == mine["requested_datetime"]
    listed = xml_items(client.get(f"{BASE}/requests.xml"), "service_requests", "request")
    assert incident.public_id in [r.findtext("service_request_id") for r in listed]


def test_post_request_json_and_xml(client, api_key):
    response = post(client, service_code="ngap-ung", lat=SAM_SON[1], long=SAM_SON[0],
                    description="Nước ngập sâu 40 cm\nĐường Lê Lợi", api_key=api_key,
                    address_string="Đường Lê Lợi, phường Sầm Sơn")
    assert response.status_code == 200
    data = json_body(response)
    validate("post-response.json", data)
    (created,) = data
    assert created["service_request_id"].startswith("PA-")
    assert "Sở Xây dựng xử lý; hạn" in created["service_notice"]
    shown = json_body(client.get(f"{BASE}/requests/{created['service_request_id']}.json"))
    assert shown[0]["description"] == "Nước ngập sâu 40 cm\nĐường Lê Lợi"
    assert shown[0]["address"] == "Đường Lê Lợi, phường Sầm Sơn"

    response = post(client, f"{BASE}/requests.xml", service_code="ngap-ung", lat=SAM_SON[1],
                    long=SAM_SON[0], api_key=api_key)
    assert response.status_code == 200
    (request,) = xml_items(response, "service_requests", "request")
    assert request.findtext("service_request_id").startswith("PA-")
    assert [child.tag for child in request] == ["service_request_id", "service_notice"]


def test_tokens_resolve_to_the_request_id(client):
    incident = report()
    data = json_body(client.get(f"{BASE}/tokens/{incident.public_id}.json"))
    validate("tokens.json", data)
    assert data == [{"service_request_id": incident.public_id, "token": incident.public_id}]
    (request,) = xml_items(client.get(f"{BASE}/tokens/{incident.public_id}.xml"),
                           "service_requests", "request")
    assert request.findtext("service_request_id") == incident.public_id


def test_our_jurisdiction_id_is_accepted(client, settings):
    settings.IOC_OPEN311_JURISDICTION_ID = "thanhhoa.gov.vn"
    response = client.get(f"{BASE}/services.json?jurisdiction_id=thanhhoa.gov.vn")
    assert response.status_code == 200
    settings.IOC_OPEN311_JURISDICTION_ID = "iocthanhhoa.vn"
    assert client.get(f"{BASE}/services.json?jurisdiction_id=iocthanhhoa.vn").status_code == 200
    assert client.get(f"{BASE}/services.json?jurisdiction_id=thanhhoa.gov.vn").status_code == 404


def test_head_answers_like_get(client):
    response = client.head(f"{BASE}/services.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
