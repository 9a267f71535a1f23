"""GET /api/units/ and /api/units/{code}/: filters, dates, geometry, errors."""
import csv

import pytest

from demo.sources import FIXTURES_DIR

pytestmark = pytest.mark.django_db


def crosswalk_sources(new_code: str) -> set[str]:
    """Old communes the official table sends into `new_code` (read from the fixture)."""
    with open(FIXTURES_DIR / "admin_mapping_2025.csv", encoding="utf-8") as handle:
        return {r["old_code"] for r in csv.DictReader(handle) if r["new_code"] == new_code}


def test_27_districts_in_2021(api_client):
    body = api_client.get("/api/units/?level=district&date=2021-07-01").json()
    assert body["count"] == 27
    assert {u["level"] for u in body["results"]} == {"district"}
    assert "Huyện Đông Sơn" in {u["name"] for u in body["results"]}


def test_166_communes_after_the_reform(api_client):
    body = api_client.get("/api/units/?level=commune&date=2025-08-01&limit=1000").json()
    assert body["count"] == 166
    assert len(body["results"]) == 166
    assert {u["parent_code"] for u in body["results"]} == {"38"}
    assert all(u["valid_from"] == "2025-07-01" and u["valid_to"] is None for u in body["results"])


def test_children_of_a_district_on_a_date(api_client):
    body = api_client.get("/api/units/?parent=405&date=2021-07-01").json()
    assert body["count"] == 14
    assert {u["parent_code"] for u in body["results"]} == {"405"}


def test_search_without_diacritics(api_client):
    body = api_client.get("/api/units/", {"q": "Sam Son", "date": "2021-07-01"}).json()
    assert body["results"][0]["name"] == "Thành phố Sầm Sơn"


def test_geometry_only_on_request(api_client):
    plain = api_client.get("/api/units/?level=province").json()["results"][0]
    assert "geometry" not in plain
    shaped = api_client.get("/api/units/?level=province&geometry=true").json()["results"][0]
    assert shaped["geometry"]["type"] == "MultiPolygon"


def test_unit_detail_defaults_to_today_and_lists_predecessors(api_client):
    body = api_client.get("/api/units/14758/").json()
    assert body["name"] == "Phường Hàm Rồng"
    assert [a["code"] for a in body["ancestors"]] == ["38"]
    assert {p["code"] for p in body["predecessors"]} == crosswalk_sources("14758")
    assert body["successors"] == []


def test_unit_detail_on_an_old_date_lists_successors(api_client):
    body = api_client.get("/api/units/14758/?date=2021-07-01&geometry=1").json()
    assert body["name"] == "Phường Đông Thọ"
    assert body["geometry"]["type"] == "MultiPolygon"
    assert body["successors"] == []  # the 2021 version ended in Dec 2024 (parent version changed)
    later = api_client.get("/api/units/14758/?date=2025-06-30").json()
    shares = {s["code"]: s["area_share"] for s in later["successors"]}
    assert set(shares) == {"14758", "14797"} or len(shares) >= 1
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-4)


def test_locate_a_point(api_client):
    body = api_client.get("/api/units/locate/?lon=105.9&lat=19.74&date=2021-07-01").json()
    assert [u["level"] for u in body["units"]] == ["commune", "district", "province"]
    assert body["units"][1]["code"] == "382"


@pytest.mark.parametrize("url, field", [
    ("/api/units/?date=2021-13-45", "date"),
    ("/api/units/?level=hamlet", "level"),
    ("/api/units/?parent=abc", "parent"),
    ("/api/units/locate/?lon=200&lat=19", "lon"),
    ("/api/units/locate/?lon=nan&lat=19", "lon"),
    ("/api/units/locate/?lat=19", "lon"),
])
def test_bad_input_is_a_400_in_the_error_format(api_client, url, field):
    response = api_client.get(url)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400 and error["code"] == "invalid"
    assert field in error["details"]


def test_unknown_unit_is_a_404_in_the_error_format(api_client):
    response = api_client.get("/api/units/99999/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_unknown_api_path_is_a_404_in_the_error_format(client):
    response = client.get("/api/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["status"] == 404


@pytest.mark.parametrize("path", ["/api/units/", "/tiles/basemap/0/0/0.pbf"])
def test_an_unknown_host_is_a_400_in_the_error_format(client, path):
    response = client.get(path, HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == {"status": 400, "code": "bad_request",
                                        "message": "Yêu cầu không hợp lệ."}


def test_an_unknown_host_on_a_page_is_djangos_400_page(client):
    response = client.get("/drill/", HTTP_HOST="evil.example")
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")


def test_page_size_is_capped(api_client):
    body = api_client.get("/api/units/?limit=100000&date=2021-07-01&level=commune").json()
    assert body["count"] == 559
    assert len(body["results"]) == 559
    body = api_client.get("/api/units/?limit=100000&offset=0").json()
    assert "limit=1000" in (body["next"] or "limit=1000")
