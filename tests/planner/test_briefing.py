"""GET /api/planner/briefing/: a self-contained HTML briefing map (folium, Leaflet inlined) of
the chosen layers' features the caller may export, with no external URL outside the inlined
Leaflet library, data text escaped, public properties only."""
import json
import re

import pytest
from django.contrib.staticfiles import finders

from layers.services import features_upsert
from layers.validation import FeatureInput
from tests.access.conftest import INSIDE

pytestmark = pytest.mark.django_db
URL = "/api/planner/briefing/"
MARKUP = "</script><img src=x onerror=alert(1)>"


def embedded(text: str) -> str:
    """How folium embeds a string in its script (JSON, non-ASCII and <, >, & escaped)."""
    return json.dumps(text).replace("<", "\\u003c").replace(">", "\\u003e")[1:-1]


def leaflet_js() -> str:
    with open(finders.find("leaflet/leaflet.js"), encoding="utf-8") as handle:
        return handle.read()


def outside_leaflet(html: str) -> str:
    js = leaflet_js()
    assert js in html
    return html.replace(js, "")


def test_a_planner_downloads_a_self_contained_map(world, client_as):
    response = client_as("planner").get(
        f"{URL}?layers={world.public.slug},{world.private.slug},schools")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert re.match(r'attachment; filename="ban-do-tom-tat-\d{8}-\d{4}\.html"',
                    response["Content-Disposition"])
    html = response.content.decode()
    rest = outside_leaflet(html)
    assert not re.search(r"(https?:)?//[a-z0-9]", rest, re.I), re.findall(r".{30}//.{30}", rest)
    assert "<script src" not in html and "<link" not in html
    assert "Bản đồ tóm tắt quy hoạch – tỉnh Thanh Hóa" in html
    assert "Lập lúc" in html and "giờ Việt Nam" in html and "Nguồn dữ liệu" in html
    # Both features: the planner is province-wide.
    assert embedded("Điểm in") in html and embedded("Điểm out") in html
    assert "owner_phone" not in html and "0900000000" not in html
    assert "data:image/png;base64," in html and "images/layers.png" not in html


def test_data_text_is_escaped(world, client_as):
    features_upsert(layer=world.public, items=[FeatureInput(
        "xss", {"type": "Point", "coordinates": list(INSIDE)}, {"name": MARKUP})])
    world.public.title_vi = "<b>Lớp</b>"
    world.public.save()
    html = client_as("planner").get(f"{URL}?layers={world.public.slug}").content.decode()
    assert "<img src=x" not in html and "</script><img" not in html
    assert embedded(MARKUP) in html
    assert "<b>Lớp</b>" not in html and "&lt;b&gt;Lớp&lt;/b&gt;" in html


def test_the_bbox_limits_the_features(world, client_as):
    html = client_as("planner").get(
        f"{URL}?layers={world.public.slug}&bbox=105.85,19.70,105.95,19.78").content.decode()
    assert embedded("Điểm in") in html and embedded("Điểm out") not in html


def test_english(world, client_as):
    client = client_as("planner")
    client.cookies["django_language"] = "en"
    html = client.get(f"{URL}?layers={world.public.slug}").content.decode()
    assert '<html lang="en">' in html
    assert "Planning briefing map – Thanh Hóa province" in html and "Vietnam time" in html


@pytest.mark.parametrize("role, status", [
    ("anonymous", 403), ("citizen", 403), ("unit_official", 403), ("wall_display", 403),
    ("province_leader", 200), ("administrator", 200)])
def test_who_may_download_it(world, client_as, role, status):
    response = client_as(role).get(f"{URL}?layers={world.public.slug}")
    assert response.status_code == status
    if status != 200:
        assert response.json()["error"]["status"] == status


@pytest.mark.parametrize("query, status", [
    ("", 400), ("?layers=", 400), ("?layers=../x", 400), ("?layers=khong-co", 404),
    ("?layers=schools&bbox=1,2,3", 400), ("?layers=schools&bbox=106,19,105,20", 400),
    ("?layers=schools&bbox=1..2,19,106,20", 400)])
def test_bad_queries(client_as, world, query, status):
    response = client_as("planner").get(URL + query)
    assert response.status_code == status
    assert response.json()["error"]["status"] == status


def test_too_many_features_is_a_clear_400(world, client_as, settings):
    settings.IOC_PLANNER_BRIEFING_MAX_FEATURES = 10
    response = client_as("planner").get(f"{URL}?layers=schools")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "export_too_large"
