"""/api/wall/…: scenes as each caller may show them, the pin, the newest incidents; every
refusal and bad input in our one error format."""
from datetime import timedelta

import pytest
from django.utils import timezone

from layers.models import Sector
from wall.models import Scene, ScenePin

pytestmark = pytest.mark.django_db

DEMO = ["tong-quan", "giao-thong", "y-te", "sam-son-mua-bien"]


def error_of(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content[:300]
    error = response.json()["error"]
    assert error["status"] == status and error["message"]
    if code:
        assert error["code"] == code
    return error


def test_the_wall_gets_its_scenes_in_turn_with_their_view_layers_filters_and_panels(api_as):
    answer = api_as("wall_display", units="province").get("/api/wall/scenes/")
    assert answer.status_code == 200
    body = answer.json()
    assert [s["slug"] for s in body["scenes"]] == DEMO and body["pin"] is None
    overview = body["scenes"][0]
    assert overview["name"] == "Toàn tỉnh Thanh Hóa" and overview["dwell_seconds"] == 60
    assert overview["center"] == [105.25, 19.98] and overview["zoom"] == 8.7
    assert [layer["slug"] for layer in overview["layers"]] == [
        "incidents", "traffic-accidents", "health-facilities", "tourist-sites",
        "security-incidents"]
    assert overview["layers"][1]["title"] == "Tai nạn giao thông"
    assert overview["filters"]["status"] == ["assigned", "in_progress", "new", "verified"]
    assert overview["panels"] == ["kpi", "events", "legend"]
    traffic = body["scenes"][1]
    assert "tai-nan-giao-thong" in traffic["filters"]["category"]


def test_names_follow_the_language(api_as):
    answer = api_as("wall_display", units="province").get("/api/wall/scenes/",
                                                          HTTP_ACCEPT_LANGUAGE="en")
    scenes = {s["slug"]: s for s in answer.json()["scenes"]}
    assert scenes["sam-son-mua-bien"]["name"] == "Sầm Sơn beach season"
    assert scenes["tong-quan"]["layers"][1]["title"] == "Traffic accidents"


def test_layers_and_categories_that_do_not_exist_or_are_not_the_callers_are_dropped(api_as):
    Scene.objects.create(slug="thu", name_vi="Thử", name_en="Test", position=99,
                         center_lon=105.9, center_lat=19.74, zoom=12, dwell_seconds=10,
                         layers=["khong-ton-tai", "security-incidents", "schools", "schools"],
                         incident_categories=["khong-co", "khac"], panels=["kpi"])
    Scene.objects.create(slug="tat", name_vi="Tắt", name_en="Off", is_active=False,
                         center_lon=105.9, center_lat=19.74, zoom=12, dwell_seconds=10)
    health_operator = api_as("sector_operator", sectors=[Sector.HEALTH])
    scenes = {s["slug"]: s for s in health_operator.get("/api/wall/scenes/").json()["scenes"]}
    assert "tat" not in scenes
    assert [layer["slug"] for layer in scenes["thu"]["layers"]] == ["schools"]
    assert scenes["thu"]["filters"]["category"] == ["khac"]
    police = api_as("sector_operator", sectors=[Sector.SECURITY])
    scenes = {s["slug"]: s for s in police.get("/api/wall/scenes/").json()["scenes"]}
    assert [layer["slug"] for layer in scenes["thu"]["layers"]] == ["security-incidents",
                                                                      "schools"]


@pytest.mark.parametrize("role", ["anonymous", "citizen", "integration_client"])
def test_callers_who_may_not_follow_incidents_are_refused(api_as, role):
    client = api_as(role)
    for url in ("/api/wall/scenes/", "/api/wall/kpi/", "/api/wall/events/", "/api/wall/pin/"):
        error_of(client.get(url), 403, "wall_forbidden")


def test_staff_without_ground_are_refused(api_as):
    error_of(api_as("unit_official", units=()).get("/api/wall/kpi/"), 403, "wall_forbidden")


def test_an_operator_pins_a_scene_the_wall_sees_it_then_the_pin_is_released(api_as):
    operator = api_as("sector_operator", units="province")
    wall = api_as("wall_display", units="province")
    answer = operator.post("/api/wall/pin/", {"scene": "y-te", "minutes": 15}, format="json")
    assert answer.status_code == 201
    pin = answer.json()
    assert pin["scene"] == "y-te" and pin["pinned_by"] == "u-sector_operator"
    assert wall.get("/api/wall/scenes/").json()["pin"] == pin
    assert wall.get("/api/wall/pin/").json() == {"pin": pin}
    # A second pin replaces the first, which stays as history.
    second = operator.post("/api/wall/pin/", {"scene": "giao-thong"}, format="json").json()
    assert second["scene"] == "giao-thong"
    assert ScenePin.objects.count() == 2
    assert ScenePin.objects.filter(released_at__isnull=True).count() == 1
    minutes = (ScenePin.objects.get(released_at__isnull=True).until
               - ScenePin.objects.get(released_at__isnull=True).pinned_at)
    assert minutes == timedelta(minutes=60)  # the default
    assert operator.delete("/api/wall/pin/").status_code == 204
    assert wall.get("/api/wall/pin/").json()["pin"] is None
    assert operator.delete("/api/wall/pin/").status_code == 204  # nothing to release: still 204


def test_an_expired_pin_no_longer_holds_the_wall(api_as):
    now = timezone.now()
    ScenePin.objects.create(scene=Scene.objects.get(slug="y-te"),
                            pinned_at=now - timedelta(hours=2), until=now - timedelta(hours=1))
    assert api_as("wall_display", units="province").get("/api/wall/pin/").json()["pin"] is None
    operator = api_as("administrator", units="province")
    assert operator.post("/api/wall/pin/", {"scene": "tong-quan"}, format="json").status_code \
        == 201
    expired = ScenePin.objects.get(scene__slug="y-te")
    assert expired.released_at == expired.until and expired.released_by is None


def test_a_pin_on_a_scene_made_inactive_is_ignored(api_as):
    operator = api_as("sector_operator", units="province")
    operator.post("/api/wall/pin/", {"scene": "y-te"}, format="json")
    Scene.objects.filter(slug="y-te").update(is_active=False)
    assert api_as("wall_display", units="province").get("/api/wall/pin/").json()["pin"] is None


@pytest.mark.parametrize("body, field", [
    ({}, "scene"), ({"scene": "y te"}, "scene"), ({"scene": "y-te", "minutes": 0}, "minutes"),
    ({"scene": "y-te", "minutes": 24 * 60 + 1}, "minutes"),
    ({"scene": "y-te", "minutes": "mãi"}, "minutes"),
])
def test_bad_pin_input_is_a_400_naming_the_field(api_as, body, field):
    answer = api_as("sector_operator").post("/api/wall/pin/", body, format="json")
    assert field in error_of(answer, 400, "invalid")["details"]


def test_pinning_an_unknown_or_inactive_scene_is_a_404(api_as):
    Scene.objects.filter(slug="y-te").update(is_active=False)
    operator = api_as("sector_operator")
    for slug in ("khong-co", "y-te"):
        answer = operator.post("/api/wall/pin/", {"scene": slug}, format="json")
        assert error_of(answer, 404, "scene_not_found")["details"] == {"scene": slug}
    assert not ScenePin.objects.exists()


@pytest.mark.parametrize("role", ["wall_display", "province_leader", "unit_official",
                                  "field_staff", "planner"])
def test_only_operators_and_administrators_may_pin(api_as, role):
    client = api_as(role, units="province")
    error_of(client.post("/api/wall/pin/", {"scene": "y-te"}, format="json"), 403,
             "pin_forbidden")
    error_of(client.delete("/api/wall/pin/"), 403, "pin_forbidden")


def test_no_token_may_pin(api_as, user_as):
    from tests.live.sockets import api_token

    user = user_as("sector_operator", units="province")
    _, key = api_token(user, ["layers:read"])
    client = api_as("anonymous")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/wall/pin/").status_code == 200
    answer = client.post("/api/wall/pin/", {"scene": "y-te"}, format="json")
    assert answer.status_code == 403 and answer.json()["error"]["status"] == 403


def test_the_newest_incidents_newest_first_within_scope_titles_as_given(api_as, incident_at):
    older = incident_at("in", title="Ổ gà")
    outside = incident_at("out", title="Rác thải")
    rejected = incident_at("in", title="Báo nhầm", status="rejected")
    payload = incident_at("in", title="<img src=x onerror=alert(1)>")
    province = api_as("wall_display", units="province").get("/api/wall/events/?limit=50").json()
    ids = [item["id"] for item in province]
    assert ids[:3] == [payload.public_id, outside.public_id, older.public_id]
    assert rejected.public_id not in ids
    first = province[0]
    assert first["title"] == "<img src=x onerror=alert(1)>"  # JSON carries it; the page sets text
    assert set(first) == {"id", "title", "category", "status", "severity", "commune_code", "lon",
                          "lat", "created_at"}
    bound = api_as("unit_official").get("/api/wall/events/?limit=50").json()
    assert outside.public_id not in [item["id"] for item in bound]
    assert older.public_id in [item["id"] for item in bound]


def test_events_follow_a_scenes_filters(api_as, incident_at):
    road = incident_at("in", category="hu-hong-mat-duong", title="Ổ gà")
    other = incident_at("in", category="khac", title="Khác")
    client = api_as("wall_display", units="province")
    ids = [item["id"] for item in client.get("/api/wall/events/?scene=giao-thong").json()]
    assert road.public_id in ids and other.public_id not in ids


@pytest.mark.parametrize("query, field", [("limit=0", "limit"), ("limit=51", "limit"),
                                          ("limit=x", "limit"), ("scene=a%20b", "scene")])
def test_bad_event_queries_are_400s(api_as, query, field):
    answer = api_as("wall_display", units="province").get(f"/api/wall/events/?{query}")
    assert field in error_of(answer, 400, "invalid")["details"]


def test_an_unknown_scene_for_events_is_a_404(api_as):
    answer = api_as("wall_display", units="province").get("/api/wall/events/?scene=khong-co")
    error_of(answer, 404, "scene_not_found")
