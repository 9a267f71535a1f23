"""The planner's page (/planner/) in Debian's headless Chromium under our CSP: the map goes idle
with nothing fetched from another origin, layers toggle and fade, a polygon drawn by clicks shows
the API's counts with data text kept as text, and the downloaded briefing map, opened from disk
with every network request aborted, still draws its Leaflet map with features."""
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "planner"
THANH_HOA_CITY = "#11/19.80/105.78"  # MapLibre's hash: zoom/lat/lon
MARKUP = "<img src=x onerror=\"document.title='xss'\">"
MAP_IDLE = ("() => window.iocMap && window.iocMap.loaded() && !window.iocMap.isMoving()"
            " && document.getElementById('map').dataset.iocState === 'idle'")
DRAWN = """(slug) => window.iocMap.queryRenderedFeatures().filter((f) => f.source === slug).length"""


@pytest.fixture(scope="module")
def planner_user(django_db_setup, django_db_blocker):
    """A committed planner (the live server sees committed data only), and a committed public
    layer whose title and one feature's name are markup; all removed at the end."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from layers.models import Feature
    from layers.services import features_upsert
    from layers.validation import FeatureInput
    from tests.factories import make_layer

    with django_db_blocker.unblock():
        user = get_user_model().objects.create_user("quy-hoach-trinh-duyet", password="x")
        user.groups.add(Group.objects.get(name="planner"))
        layer = make_layer(slug="test-markup", title_vi=MARKUP, is_public=True)
        features_upsert(layer=layer, items=[FeatureInput(
            "markup", {"type": "Point", "coordinates": [105.781, 19.801]}, {"name": MARKUP})])
        client = Client()
        client.force_login(user)  # a committed session, unlike one made inside a test
        user.session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    yield user
    with django_db_blocker.unblock():
        Feature.objects.filter(layer=layer).delete()
        layer.delete()
        user.delete()


@pytest.fixture
def signed_in(page, live_url, planner_user):
    """The page with the planner's session cookie."""
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_url,
                               "value": planner_user.session_key}])
    return page


def open_planner(page, live_url):
    page.goto(f"{live_url}/planner/{THANH_HOA_CITY}")
    page.wait_for_function(MAP_IDLE, timeout=60_000)
    page.wait_for_selector("#layer-list li[data-layer=schools]")


def test_the_map_goes_idle_offline_and_lists_every_visible_layer(signed_in, live_url):
    page = signed_in
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    open_planner(page, live_url)
    listed = page.eval_on_selector_all("#layer-list li", "(items) => items.map(i => i.dataset.layer)")
    assert {"admin-boundaries", "schools", "incidents", "security-incidents", "test-markup"} <= set(
        listed)
    assert page.evaluate(DRAWN, "schools") > 0
    # The markup title is text: no element was made from it, and it did not run.
    assert page.locator("#layer-list img").count() == 0
    assert MARKUP in page.locator("#layer-list li[data-layer=test-markup]").inner_text()
    # Export links: each checked layer, the visible extent, three formats; the briefing link.
    href = page.get_attribute("#export-list li[data-layer=schools] a[data-format=csv]", "href")
    assert href.startswith("/api/layers/schools/export/?format=csv&bbox=105.")
    assert "layers=" in page.get_attribute("#briefing-link", "href")
    foreign = [url for url in page.seen_urls if not url.startswith((live_url + "/", "data:"))]
    assert foreign == []
    assert errors == [] and page.title() != "xss"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "planner.png"))


def test_unticking_a_layer_removes_its_features_and_ticking_brings_them_back(signed_in,
                                                                            live_url):
    page = signed_in
    open_planner(page, live_url)
    box = page.locator("#layer-list input[type=checkbox][value=schools]")
    box.uncheck()
    page.wait_for_function(f"() => ({DRAWN})('schools') === 0", timeout=10_000)
    assert page.evaluate(DRAWN, "admin-boundaries") > 0  # the rest stays
    assert page.locator("#export-list li[data-layer=schools]").count() == 0
    box.check()
    page.wait_for_function(f"() => ({DRAWN})('schools') > 0", timeout=10_000)


def test_the_opacity_slider_sets_the_paint_properties_of_every_style_layer(signed_in, live_url):
    page = signed_in
    open_planner(page, live_url)
    page.locator("#layer-list input[type=range][data-layer=admin-boundaries]").evaluate(
        "(e) => { e.value = '30'; e.dispatchEvent(new Event('input')); }")
    page.locator("#layer-list input[type=range][data-layer=schools]").evaluate(
        "(e) => { e.value = '30'; e.dispatchEvent(new Event('input')); }")
    paint = page.evaluate("""() => {
      const m = window.iocMap;
      return {points: m.getPaintProperty('schools-points', 'circle-opacity'),
              stroke: m.getPaintProperty('schools-points', 'circle-stroke-opacity'),
              communes: m.getPaintProperty('admin-boundaries-commune-fill', 'fill-opacity'),
              lines: m.getPaintProperty('admin-boundaries-province-line', 'line-opacity'),
              labels: m.getPaintProperty('admin-boundaries-labels', 'text-opacity')};
    }""")
    assert paint == {"points": 0.3, "stroke": 0.3, "communes": 0.012, "lines": 0.3,
                     "labels": 0.3}


def test_a_polygon_drawn_by_clicks_shows_the_apis_counts_with_names_as_text(signed_in,
                                                                           live_url):
    page = signed_in
    open_planner(page, live_url)
    box = page.locator("#map canvas").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.click("#draw-start")
    for dx, dy in ((-160, -140), (160, -140), (160, 140), (-160, 140)):
        page.mouse.click(cx + dx, cy + dy)
    assert page.locator("#draw-status").inner_text() == "4 đỉnh"
    page.mouse.click(cx - 160, cy - 140)  # the first vertex again closes the polygon
    page.wait_for_selector("#within-result[data-state=done]", timeout=20_000)

    shown = page.eval_on_selector_all(
        "#within-result .within-layer",
        "(items) => Object.fromEntries(items.map(i => [i.dataset.layer, Number(i.dataset.count)]))")
    answer = page.evaluate("""() => window.iocUi.api('/api/planner/within/', {method: 'POST',
        body: {polygon: window.iocPlanner.state.polygon,
               layers: window.iocUi.config.layers.map((l) => l.slug)}})""")
    assert shown == {layer["slug"]: layer["count"] for layer in answer["layers"]}
    assert shown["schools"] > 0 and shown["admin-boundaries"] > 0 and shown["test-markup"] == 1
    # The markup name is listed as text: no element, nothing run.
    markup = page.locator("#within-result .within-layer[data-layer=test-markup] li")
    assert markup.inner_text() == MARKUP
    assert page.locator("#within-result img").count() == 0 and page.title() != "xss"
    polygon = page.evaluate("() => window.iocPlanner.state.polygon")
    assert polygon["type"] == "Polygon" and len(polygon["coordinates"][0]) == 5
    page.wait_for_function(MAP_IDLE, timeout=10_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "planner-polygon.png"))
    foreign = [url for url in page.seen_urls if not url.startswith((live_url + "/", "data:"))]
    assert foreign == []


def test_the_briefing_map_opens_from_disk_with_the_network_cut(page, planner_user):
    from layers.models import Layer
    from layers.services import features_upsert
    from layers.validation import FeatureInput

    layer = Layer.objects.get(slug="test-markup")
    features_upsert(layer=layer, items=[FeatureInput(
        "markup-2", {"type": "Point", "coordinates": [105.79, 19.81]}, {"name": MARKUP})])
    client = Client()
    client.force_login(planner_user)
    response = client.get("/api/planner/briefing/?layers=schools,traffic-congestion,test-markup"
                          "&bbox=105.6,19.6,106.0,19.95")
    assert response.status_code == 200
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "briefing.html"
    path.write_bytes(response.content)

    blocked = []

    def only_the_file(route):
        if route.request.url == path.as_uri():
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_file)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(path.as_uri())
    page.wait_for_function("() => document.querySelectorAll("
                           "'.leaflet-overlay-pane path.leaflet-interactive').length > 50",
                           timeout=20_000)
    drawn = page.evaluate("""() => ({
      paths: document.querySelectorAll('.leaflet-overlay-pane path').length,
      legend: document.querySelector('#ioc-briefing').innerText,
      imgs: document.querySelectorAll('img').length,
      leaflet: typeof L === 'object' && L.version})""")
    assert drawn["leaflet"].startswith("1.9")
    assert "Bản đồ tóm tắt" in drawn["legend"] and MARKUP in drawn["legend"]
    assert drawn["imgs"] == 0 and dialogs == [] and page.title() != "xss"
    # A feature's label is a tooltip made from text.
    page.evaluate("""() => { for (const layer of Object.values(window)) {
        if (layer && layer instanceof L.GeoJSON) layer.eachLayer((f) => {
          if (f.feature.properties.label.includes('<img')) f.openTooltip(); }); } }""")
    tooltip = page.locator(".leaflet-tooltip").first
    assert tooltip.inner_text() == MARKUP
    assert blocked == []  # nothing was even asked for
    page.screenshot(path=str(ARTIFACTS / "briefing-offline.png"))
