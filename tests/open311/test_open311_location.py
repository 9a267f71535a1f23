"""Where a POSTed request lands: lat/long, else a commune by GSO code (address_id) or by name
in address_string; plus rate limits and XML-safe text."""
import pytest
from django.contrib.gis.geos import Point
from django.core.cache import cache
from django.utils import timezone
from xml.etree import ElementTree

from incidents.models import Incident
from layers.models import AdminLevel, AdminUnit
from layers.selectors import unit_containing
from tests.open311.conftest import SAM_SON, post
from tests.open311.open311_checks import BASE, assert_spec_error, json_body

pytestmark = pytest.mark.django_db


def _sam_son_ward() -> AdminUnit:
    return unit_containing(point=Point(*SAM_SON, srid=4326), day=timezone.localdate())


def _created(response) -> Incident:
    assert response.status_code == 200, response.content
    return Incident.objects.get(public_id=json_body(response)[0]["service_request_id"])


def test_address_id_is_a_commune_code(client, api_key):
    ward = _sam_son_ward()
    incident = _created(post(client, api_key=api_key, service_code="khac", address_id=ward.code))
    assert incident.commune_code == ward.code
    assert ward.geom.contains(incident.location)


def test_address_string_naming_a_ward(client, api_key):
    ward = _sam_son_ward()
    address = f"Số 12 đường Lê Lợi, {ward.name.lower()}, Thanh Hóa"
    incident = _created(post(client, api_key=api_key, service_code="khac",
                             address_string=address))
    assert incident.commune_code == ward.code and incident.address == address
    unaccented = _created(post(client, api_key=api_key, service_code="khac",
                               address_string=f"12 Le Loi, {ward.search_name}"))
    assert unaccented.commune_code == ward.code


def test_lat_long_win_over_the_address(client, api_key):
    far_ward = AdminUnit.objects.filter(level=AdminLevel.COMMUNE, valid_to__isnull=True).exclude(
        code=_sam_son_ward().code).first()
    incident = _created(post(client, api_key=api_key, service_code="khac", lat=SAM_SON[1],
                             long=SAM_SON[0], address_string=far_ward.name))
    assert incident.commune_code == _sam_son_ward().code


@pytest.mark.parametrize("address", [{"address_string": "Hà Nội"}, {"address_id": "99999"},
                                     {"address_string": "%_%"}, {"address_id": "abc"}])
def test_an_address_we_cannot_place_is_400(client, api_key, address):
    assert_spec_error(post(client, api_key=api_key, service_code="khac", **address), 400)
    assert not Incident.objects.exists()


def test_control_characters_stay_well_formed_xml(client, api_key):
    text = "Có ký tự lạ \x01\x08\x1b ở đây <b>&amp;</b>"
    incident = _created(post(client, api_key=api_key, service_code="khac", lat=SAM_SON[1],
                             long=SAM_SON[0], description=text))
    response = client.get(f"{BASE}/requests/{incident.public_id}.xml")
    description = ElementTree.fromstring(response.content).findtext("request/description")
    assert description == "Có ký tự lạ \ufffd\ufffd\ufffd ở đây <b>&amp;</b>"
    assert json_body(client.get(f"{BASE}/requests/{incident.public_id}.json"))[0][
        "description"] == text


def test_rate_limits_answer_in_the_spec_format(client, settings):
    cache.clear()
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        "anon_burst": "2/min", "anon_sustained": None, "token": None}}
    try:
        assert [client.get(f"{BASE}/services.json").status_code for _ in range(2)] == [200, 200]
        response = client.get(f"{BASE}/services.xml")
        assert_spec_error(response, 429, fmt="xml")
        assert 1 <= int(response["Retry-After"]) <= 60
        assert_spec_error(client.get(f"{BASE}/no-such-thing"), 429)
    finally:
        cache.clear()
