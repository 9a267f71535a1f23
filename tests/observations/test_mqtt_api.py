"""The observations API: streams (scoped by layer visibility), a station's time series (filters,
order, limit, 400s in the API's error format) and the latest values of a station layer, scoped
by the caller's jurisdiction as the station layer's features are."""
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.gis.geos import Point
from rest_framework.test import APIClient

from layers import selectors
from layers.models import Sector
from observations.mapping import Message
from observations.services import observations_ingest, stream_routes_load
from tests.access.conftest import TODAY, make_user
from tests.observations.conftest import INSIDE, make_world, payload

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 1, 1, 0, 0, tzinfo=UTC)


def _feed(topic_root: str, station: str, hours: int, rain: bool = False) -> None:
    messages = [Message(f"{topic_root}/x/level", payload(
        station, (T0 + timedelta(hours=h)).isoformat(), level=float(h),
        rain=float(h) / 10 if rain else None), T0 + timedelta(hours=h, minutes=1))
        for h in range(hours)]
    result = observations_ingest(messages=messages, routes=stream_routes_load())
    assert result.accepted == hours


@pytest.fixture
def public_world(db):
    layer, stream, metrics = make_world(slug="tram-cong-khai", topic_filter="pub/+/level")
    _feed("pub", "S1", 5, rain=True)
    _feed("pub", "S2", 2)
    return layer, stream, metrics


@pytest.fixture
def private_world(public_world):
    layer, stream, metrics = make_world(slug="tram-an-ninh", topic_filter="sec/+/level",
                                        is_public=False)
    _feed("sec", "S1", 3)
    _feed("sec", "S2", 3)
    return layer, stream, metrics


def _client(role: str | None = None, *, bound: bool = False, sectors=None) -> APIClient:
    client = APIClient()
    if role:
        unit = selectors.unit_containing(point=Point(*INSIDE, srid=4326), day=TODAY)
        client.force_authenticate(make_user(role, units=[unit] if bound else (),
                                            sectors=sectors))
    return client


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()["error"]
    assert (body["status"], body["code"]) == (status, code)
    return body


def test_streams_are_those_whose_station_layer_one_sees(private_world):
    anonymous = _client().get("/api/observations/streams/").json()
    assert [s["station_layer"] for s in anonymous] == ["tram-cong-khai"]
    stream = anonymous[0]
    assert stream["metrics"] == [
        {"code": "rainfall_mm", "name_vi": "Lượng mưa", "name_en": "Rainfall", "unit": "mm"},
        {"code": "water_level_m", "name_vi": "Mực nước", "name_en": "Water level", "unit": "m"}]
    assert stream["expected_interval_seconds"] == 300
    assert stream["liveness"]["messages_accepted"] == 7
    assert stream["liveness"]["last_observed_at"] == "2026-01-01T11:00:00+07:00"
    assert "topic_filter" not in stream
    leader = _client("province_leader").get("/api/observations/streams/").json()
    assert sorted(s["station_layer"] for s in leader) == ["tram-an-ninh", "tram-cong-khai"]


def test_a_series_newest_first_with_metric_window_and_limit(public_world):
    client = _client()
    body = client.get("/api/observations/", {"station": "tram-cong-khai:S1"}).json()
    assert body["station"] == {"layer": "tram-cong-khai", "id": "S1"}
    assert (body["order"], body["count"]) == ("newest_first", 10)
    assert set(body["metrics"]) == {"water_level_m", "rainfall_mm"}
    assert body["metrics"]["water_level_m"]["unit"] == "m"
    times = [r["observed_at"] for r in body["results"]]
    assert times == sorted(times, reverse=True)
    level = client.get("/api/observations/", {
        "station": "tram-cong-khai:S1", "metric": "water_level_m",
        "since": "2026-01-01T08:00:00", "until": "2026-01-01T10:00:00+07:00"}).json()
    assert [(r["metric"], r["value"], r["observed_at"]) for r in level["results"]] == [
        ("water_level_m", 2.0, "2026-01-01T09:00:00+07:00"),
        ("water_level_m", 1.0, "2026-01-01T08:00:00+07:00")]  # since inclusive, until not
    assert level["results"][0]["received_at"] == "2026-01-01T09:01:00+07:00"
    limited = client.get("/api/observations/", {"station": "tram-cong-khai:S1",
                                                 "metric": "water_level_m", "limit": 2}).json()
    assert [r["value"] for r in limited["results"]] == [4.0, 3.0]
    empty = client.get("/api/observations/", {"station": "tram-cong-khai:S1",
                                              "since": "2027-01-01T00:00:00Z"}).json()
    assert (empty["count"], empty["results"], empty["metrics"]) == (0, [], {})


@pytest.mark.parametrize("query, status, code", [
    ({}, 400, "invalid_query"),
    ({"station": "S1"}, 400, "invalid_query"),
    ({"station": ":S1"}, 400, "invalid_query"),
    ({"station": "tram-cong-khai:"}, 400, "invalid_query"),
    ({"station": "Tram:S1"}, 400, "invalid_query"),
    ({"station": "tram-cong-khai:S1", "metric": "Mực nước"}, 400, "invalid_query"),
    ({"station": "tram-cong-khai:S1", "metric": "wind_speed"}, 400, "unknown_metric"),
    ({"station": "tram-cong-khai:S1", "since": "hôm qua"}, 400, "invalid_query"),
    ({"station": "tram-cong-khai:S1", "since": "2026-01-02T00:00:00Z",
      "until": "2026-01-01T00:00:00Z"}, 400, "invalid_query"),
    ({"station": "tram-cong-khai:S1", "since": "2026-01-01T00:00:00Z",
      "until": "2026-01-01T00:00:00Z"}, 400, "invalid_query"),
    ({"station": "tram-cong-khai:S1", "limit": 0}, 400, "invalid_query"),
    ({"station": "tram-cong-khai:S1", "limit": 10_001}, 400, "invalid_query"),
    ({"station": "tram-cong-khai:S1", "limit": "nhiều"}, 400, "invalid_query"),
    ({"station": "tram-cong-khai:S9"}, 404, "station_not_found"),
    ({"station": "khong-co:S1"}, 404, "station_not_found"),
    ({"station": "tram-an-ninh:S1"}, 404, "station_not_found"),  # private: unseen
])
def test_bad_series_queries_are_4xx_in_the_error_format(private_world, query, status, code):
    body = _error(_client().get("/api/observations/", query), status, code)
    if code == "invalid_query" and query:
        assert body.get("details") or "station" in body["message"] or "since" in body["message"]


def test_latest_per_station_and_metric_with_positions(public_world):
    body = _client().get("/api/observations/latest/", {"layer": "tram-cong-khai"}).json()
    assert body["count"] == 2
    s1, s2 = body["results"]
    assert (s1["id"], s1["geometry"]) == ("S1", {"type": "Point", "coordinates": list(INSIDE)})
    assert s1["properties"] == {"name": "Trạm Sầm Sơn"}  # no private property for the public
    assert s1["latest"]["water_level_m"] == {"value": 4.0, "unit": "m",
                                             "observed_at": "2026-01-01T11:00:00+07:00",
                                             "received_at": "2026-01-01T11:01:00+07:00"}
    assert s1["latest"]["rainfall_mm"]["value"] == 0.4
    assert list(s2["latest"]) == ["water_level_m"] and s2["latest"]["water_level_m"][
        "value"] == 1.0
    only_rain = _client().get("/api/observations/latest/", {"layer": "tram-cong-khai",
                                                           "metric": "rainfall_mm"}).json()
    assert [list(s["latest"]) for s in only_rain["results"]] == [["rainfall_mm"], []]
    admin = _client("administrator").get("/api/observations/latest/",
                                         {"layer": "tram-cong-khai"}).json()
    assert admin["results"][0]["properties"]["keeper_phone"] == "0900000000"


def test_bad_latest_queries(private_world):
    from tests.factories import make_layer

    make_layer(slug="khong-phai-tram")
    client = _client()
    _error(client.get("/api/observations/latest/"), 400, "invalid_query")
    _error(client.get("/api/observations/latest/", {"layer": "Tram!"}), 400, "invalid_query")
    _error(client.get("/api/observations/latest/", {"layer": "khong-phai-tram"}), 400,
           "not_a_station_layer")
    _error(client.get("/api/observations/latest/", {"layer": "khong-co"}), 404, "not_found")
    _error(client.get("/api/observations/latest/", {"layer": "tram-an-ninh"}), 404, "not_found")
    _error(client.get("/api/observations/latest/", {"layer": "tram-cong-khai",
                                                    "metric": "wind_speed"}), 400,
           "unknown_metric")


def test_a_bound_operator_reads_only_the_stations_on_their_ground(private_world):
    operator = _client("sector_operator", bound=True, sectors=[Sector.SECURITY])
    inside = operator.get("/api/observations/", {"station": "tram-an-ninh:S1"})
    assert inside.status_code == 200 and inside.json()["count"] == 3
    _error(operator.get("/api/observations/", {"station": "tram-an-ninh:S2"}), 404,
           "station_not_found")
    latest = operator.get("/api/observations/latest/", {"layer": "tram-an-ninh"}).json()
    assert [s["id"] for s in latest["results"]] == ["S1"]
    public = operator.get("/api/observations/latest/", {"layer": "tram-cong-khai"}).json()
    assert [s["id"] for s in public["results"]] == ["S1", "S2"]  # public layer: all
    other = _client("other_sector_operator", sectors=[Sector.HEALTH])
    _error(other.get("/api/observations/", {"station": "tram-an-ninh:S1"}), 404,
           "station_not_found")
    assert [s["station_layer"] for s in other.get("/api/observations/streams/").json()] == [
        "tram-cong-khai"]


def test_a_token_reads_with_layers_read_and_its_units(private_world):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from access.services import api_token_create

    user = get_user_model().objects.create_user("he-thong-thuy-van", password=None)
    user.groups.add(Group.objects.get(name="integration_client"))
    unit = selectors.unit_containing(point=Point(*INSIDE, srid=4326), day=TODAY)
    expires = timezone.now() + timedelta(days=1)
    _, reader = api_token_create(name="Đọc", user=user, scopes=["layers:read"], units=[unit],
                                 expires_at=expires)
    _, writer = api_token_create(name="Gửi", user=user, scopes=["reports:submit"],
                                 expires_at=expires)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {writer}")
    _error(client.get("/api/observations/streams/"), 403, "permission_denied")
    _error(client.get("/api/observations/", {"station": "tram-cong-khai:S1"}), 403,
           "permission_denied")
    client.credentials(HTTP_AUTHORIZATION=f"Token {reader}")
    assert client.get("/api/observations/", {"station": "tram-an-ninh:S1"}).status_code == 200
    _error(client.get("/api/observations/", {"station": "tram-an-ninh:S2"}), 404,
           "station_not_found")
