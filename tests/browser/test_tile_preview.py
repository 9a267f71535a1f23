"""The tile preview page (/tiles/preview/): MapLibre GL, in Debian's headless Chromium and under
our CSP, draws our basemap, administrative boundaries and sector layers from our own tiles,
glyphs and scripts, and nothing is fetched from another origin."""
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
THANH_HOA_CITY = "#10.5/19.807/105.776"  # MapLibre's hash: zoom/lat/lon
SECTOR_LAYERS = {"traffic-accidents", "schools", "health-facilities", "tourist-sites",
                 "traffic-congestion"}
# A ready map: style and every visible tile loaded, nothing moving, the page's idle mark set.
MAP_IDLE = ("() => window.iocMap && window.iocMap.loaded() && !window.iocMap.isMoving()"
            " && document.getElementById('map').dataset.iocState === 'idle'")
SOURCES_DRAWN = """() => {
  const counts = {};
  for (const f of window.iocMap.queryRenderedFeatures()) counts[f.source] = (counts[f.source] || 0) + 1;
  return counts;
}"""


class Recorder:
    """Every response and console message of a page, kept for assertions after the fact."""

    def __init__(self, page):
        self.responses = []
        self.console_errors = []
        self.csp_messages = []
        self.page_errors = []
        self.failed = []
        page.on("response", lambda response: self.responses.append(response))
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("requestfailed", lambda request: self.failed.append(
            (request.url, request.failure)))

    def _console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)
        if "Content Security Policy" in message.text:
            self.csp_messages.append(message.text)

    def matching(self, pattern: str) -> list:
        return [r for r in self.responses if re.search(pattern, r.url)]


def wait_idle(page) -> None:
    page.wait_for_function(MAP_IDLE, timeout=30_000)


def test_the_page_has_no_inline_script_and_a_csp_without_blob_workers(client):
    response = client.get("/tiles/preview/?theme=dark")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Xem trước lớp bản đồ" in html
    assert 'data-style-url="/tiles/style.json?theme=dark"' in html
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert scripts and all("src=" in attrs for attrs in scripts)
    assert "maplibre-gl-csp.js" in html and "maplibre-gl-csp-worker.js" in html
    policy = dict(part.strip().split(" ", 1) for part in
                  response.headers["Content-Security-Policy"].split(";") if part.strip())
    assert policy["worker-src"] == "'self'"
    assert "'unsafe-inline'" not in policy["script-src"]
    # An unknown theme falls back to the light one rather than reaching the style's URL.
    html = client.get("/tiles/preview/?theme=%22%3E").content.decode()
    assert 'data-style-url="/tiles/style.json?theme=light"' in html


@pytest.mark.browser
def test_maplibre_draws_our_tiles_offline_under_the_csp(live_url, page):
    seen = Recorder(page)
    page.goto(f"{live_url}/tiles/preview/{THANH_HOA_CITY}")
    wait_idle(page)

    drawn = page.evaluate(SOURCES_DRAWN)
    assert drawn.get("basemap", 0) > 0, drawn
    assert drawn.get("admin-boundaries", 0) > 0, drawn
    sectors = SECTOR_LAYERS & {source for source, count in drawn.items() if count > 0}
    assert len(sectors) >= 3, drawn

    # The panel lists the style's sector layers, titled in Vietnamese, with legend colours.
    assert page.locator("#panel h1").inner_text() == "Xem trước lớp bản đồ"
    listed = page.locator("#layer-list input[type=checkbox]")
    slugs = {listed.nth(i).get_attribute("value") for i in range(listed.count())}
    assert sectors <= slugs
    assert page.locator("#layer-list .swatch").count() >= len(slugs)

    # Vietnamese labels: the administrative names are placed, with the glyphs of ASCII and of
    # Latin Extended Additional (ờ, ố, ạ …) fetched from us.
    labels = page.evaluate("""() => window.iocMap.queryRenderedFeatures(
        {layers: ['admin-boundaries-labels']}).map(f => f.properties.name)""")
    assert any(re.search(r"[\u1ea0-\u1ef9]", name) for name in labels), labels[:20]
    glyphs = seen.matching(r"/static/map/glyphs/")
    for glyph_range in ("0-255", "7680-7935"):
        assert any(r.url.endswith(f"/{glyph_range}.pbf") and r.status == 200 for r in glyphs), \
            [(r.url, r.status) for r in glyphs]
    assert all(r.status == 200 for r in glyphs), [(r.url, r.status) for r in glyphs]

    # Tiles: a body is always gzip with the header that says so (without it MapLibre draws
    # nothing); empty tiles are 204s. MapLibre's requests come from its worker too.
    tiles = seen.matching(r"/tiles/[-a-z0-9]+/\d+/\d+/\d+\.pbf")
    with_body = [r for r in tiles if r.status == 200]
    assert len(with_body) >= 5, [(r.url, r.status) for r in tiles]
    assert {r.url.split("/tiles/")[1].split("/")[0] for r in with_body} >= {"basemap",
                                                                           "admin-boundaries"}
    unencoded = [r.url for r in with_body if r.all_headers().get("content-encoding") != "gzip"]
    assert unencoded == []
    assert all(r.status in (200, 204, 304) for r in tiles), [(r.url, r.status) for r in tiles]

    # Nothing from another origin, no failed request, no error of any kind in the console.
    foreign = [url for url in page.seen_urls if not url.startswith((live_url + "/", "data:"))]
    assert foreign == []
    assert seen.failed == []
    assert [m for m in seen.console_errors if re.search(r"tile|glyph|\.pbf", m, re.I)] == []
    assert seen.console_errors == [] and seen.page_errors == [] and seen.csp_messages == []

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "tile-preview.png"))


@pytest.mark.browser
def test_unticking_a_layer_removes_its_features_and_ticking_brings_them_back(live_url, page):
    page.goto(f"{live_url}/tiles/preview/{THANH_HOA_CITY}")
    wait_idle(page)
    drawn = page.evaluate(SOURCES_DRAWN)
    slug = next(s for s in ("schools", "health-facilities", "tourist-sites", "traffic-accidents",
                            "traffic-congestion") if drawn.get(s, 0) > 0)
    box = page.locator(f"#layer-list input[value={slug}]")

    box.uncheck()
    page.wait_for_function(f"() => ({SOURCES_DRAWN})()['{slug}'] === undefined", timeout=10_000)
    wait_idle(page)
    after = page.evaluate(SOURCES_DRAWN)
    assert slug not in after
    assert after.get("basemap", 0) > 0 and after.get("admin-boundaries", 0) > 0  # the rest stays

    box.check()
    page.wait_for_function(f"() => ({SOURCES_DRAWN})()['{slug}'] > 0", timeout=10_000)


@pytest.mark.browser
def test_the_dark_theme_previews_the_wall_style(live_url, page):
    seen = Recorder(page)
    page.goto(f"{live_url}/tiles/preview/?theme=dark{THANH_HOA_CITY}")
    wait_idle(page)
    style = page.evaluate("() => window.iocMap.getStyle()")
    assert style["metadata"]["ioc:theme"] == "dark"
    background = next(layer for layer in style["layers"] if layer["type"] == "background")
    assert background["paint"]["background-color"] == "#0f1720"
    assert page.locator("body.theme-dark #panel a[aria-current]").inner_text() == "tối"
    assert seen.console_errors == [] and seen.csp_messages == []


# ---- swapping a source's tile URLs (another date, time window, data version) -----------------

PRE_REFORM_DAY = "2025-06-30"
UNITS_TILE = re.compile(r"/tiles/admin-boundaries/\d+/\d+/\d+\.pbf")
SWAP = """([how, day]) => {
  const map = window.iocMap, source = map.getSource('admin-boundaries');
  const tiles = source.tiles.map((url) => url + (url.includes('?') ? '&' : '?') + 'date=' + day);
  if (how === 'maplibre') source.setTiles(tiles); else window.iocSetTiles(map, source.id, tiles);
}"""
UNIT_CODES_DRAWN = """(level) => window.iocMap.querySourceFeatures('admin-boundaries',
  {sourceLayer: level}).map((f) => String(f.properties.code))"""


def _codes_in_force(day, level):
    from django.db.models import Q

    from layers.models import AdminUnit

    return set(AdminUnit.objects.filter(level=level).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day)).values_list("code", flat=True))


@pytest.mark.browser
@pytest.mark.parametrize("how", ["maplibre", "ours"])
def test_tiles_in_flight_when_the_urls_change_do_not_keep_the_old_data(live_url, page, how):
    """The units tiles of the first view are held in flight while the source switches to the
    pre-reform day. MapLibre's setTiles alone then keeps the current generation in them
    (maplibre-gl-js#6251; if this control ever fails, MapLibre fixed it and our workaround in
    tiles/map-base.js can go); window.iocSetTiles fetches them again."""
    from datetime import date

    held = []
    page.route(UNITS_TILE, lambda route: route.continue_() if "date=" in route.request.url
               else held.append(route))
    page.goto(f"{live_url}/tiles/preview/#8.4/19.95/105.6")
    page.wait_for_function("() => window.iocMap && window.iocMap.getSource('admin-boundaries')"
                           " && Array.isArray(window.iocMap.getSource('admin-boundaries').tiles)",
                           timeout=30_000)
    for _ in range(200):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "no units tile was requested"
    page.evaluate(SWAP, [how, PRE_REFORM_DAY])
    # The source has reloaded with the new URLs while the first tiles are still in flight.
    page.wait_for_function("(day) => window.iocMap.getSource('admin-boundaries').tiles"
                           ".every((url) => url.includes('date=' + day))", arg=PRE_REFORM_DAY,
                           timeout=30_000)
    page.wait_for_timeout(200)
    for route in held:
        route.continue_()
    wait_idle(page)

    districts = set(page.evaluate(UNIT_CODES_DRAWN, "district"))
    communes = set(page.evaluate(UNIT_CODES_DRAWN, "commune"))
    if how == "maplibre":  # the current generation has no districts
        assert communes and not districts, "the race was not reproduced"
    else:
        day = date.fromisoformat(PRE_REFORM_DAY)
        assert districts and districts <= _codes_in_force(day, "DISTRICT")
        assert communes and communes <= _codes_in_force(day, "COMMUNE")
