"""The leaders' drill-down (/drill/) in Debian's headless Chromium: the province's panel and
choropleth, drilling province → unit → commune by the ranking and by clicking the map, both unit
generations, one filter reaching the counts, the lists and the tiles, data shown as text, and
nothing fetched from another origin. Screenshots go to var/test-artifacts/drill/."""
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "drill"
MAP_IDLE = ("() => window.iocMap && window.iocMap.loaded() && !window.iocMap.isMoving()"
            " && document.getElementById('map').dataset.iocState === 'idle'"
            " && document.getElementById('map').dataset.drillState === 'ready'")
XSS = "<img src=x onerror=\"document.body.dataset.pwned='1'\">"
TIMEOUT = 60_000


@pytest.fixture(scope="module")
def leader(django_db_blocker):
    """A committed province leader bound to the province, and an incident whose title is markup
    (removed afterwards)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from access.models import Jurisdiction
    from access.principal import ANONYMOUS
    from incidents.models import Incident
    from incidents.services import ReportInput, incident_submit
    from layers.models import AdminLevel, AdminUnit
    from tests.live.sockets import session_cookie

    with django_db_blocker.unblock():
        user = get_user_model().objects.create_user("lanh-dao-drill", password="x")
        user.groups.add(Group.objects.get(name="province_leader"))
        jurisdiction = Jurisdiction.objects.create(user=user, sectors=[])
        jurisdiction.units.set([AdminUnit.objects.get(level=AdminLevel.PROVINCE,
                                                      valid_to__isnull=True)])
        incident = incident_submit(principal=ANONYMOUS, report=ReportInput(
            category="khac", lon=105.9004, lat=19.7406, title=XSS,
            description="Thử hiển thị an toàn"))
        cookie = session_cookie(user)  # committed: the live server reads it
    yield user, incident.public_id, cookie
    with django_db_blocker.unblock():
        from layers.models import Layer
        from layers.services import feature_delete_unchecked

        Incident.objects.filter(public_id=incident.public_id).delete()
        feature_delete_unchecked(layer=Layer.objects.get(slug="incidents"),
                                 external_id=incident.public_id)
        user.delete()


@pytest.fixture
def drill_page(live_url, browser, page, leader):
    name, value = leader[2].split("=", 1)
    browser.add_cookies([{"name": name, "value": value, "url": live_url}])
    page.errors = []
    page.failed_urls = []
    page.on("requestfailed", lambda request: page.failed_urls.append(request.url))
    page.on("response", lambda response: page.failed_urls.append(
        f"{response.status} {response.url}") if response.status >= 400 else None)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda dialog: (page.errors.append("dialog " + dialog.message),
                                      dialog.dismiss()))
    return page


def _open(page, url: str) -> None:
    page.goto(url)
    try:
        page.wait_for_function(MAP_IDLE, timeout=TIMEOUT)
    except Exception as error:  # say where the page got stuck
        text = page.evaluate("() => document.body.innerText.slice(0, 300)")
        raise AssertionError(f"{page.url} never ready: {page.errors} {text!r}") from error


MAP_STATE = """() => {
  const map = window.iocMap, units = window.iocUi.config.units_source;
  const layer = map.getLayer('drill-choropleth');
  return {loaded: map.loaded(), tilesLoaded: map.areTilesLoaded(), zoom: map.getZoom(),
          tiles: map.getSource(units).tiles, sourceLayer: layer && layer.sourceLayer,
          filter: layer && JSON.stringify(layer.filter).slice(0, 200),
          inSource: map.querySourceFeatures(units, {sourceLayer: layer && layer.sourceLayer})
            .length,
          drillState: document.getElementById('map').dataset.drillState};
}"""


def _wait_for_choropleth(page) -> None:
    """Until the choropleth draws; if it never does, say what the map holds (an intermittent
    timeout here needs the map's state to be understood)."""
    try:
        page.wait_for_function("() => window.iocMap.queryRenderedFeatures("
                               "{layers: ['drill-choropleth']}).length > 0", timeout=TIMEOUT)
    except Exception as error:
        state = page.evaluate(MAP_STATE)
        failed = getattr(page, "failed_urls", [])[-10:]
        raise AssertionError(f"choropleth never drawn: {state}; failed requests {failed}; "
                             f"errors {page.errors}") from error


def _stats(page) -> dict:
    return page.evaluate("() => window.iocDrill.stats")


def _choropleth_codes(page) -> set[str]:
    return set(page.evaluate("""() => window.iocMap.queryRenderedFeatures(
        {layers: ['drill-choropleth']}).map(f => String(f.properties.code))"""))


def _click_unit_on_map(page, code: str) -> None:
    """Click the unit's label point (inside the unit) on the map."""
    point = page.evaluate("""(code) => {
      const map = window.iocMap;
      const source = window.iocUi.config.units_source;
      const label = map.querySourceFeatures(source, {sourceLayer: 'labels'})
        .find(f => String(f.properties.code) === code);
      if (!label) return null;
      const p = map.project(label.geometry.coordinates);
      const box = map.getContainer().getBoundingClientRect();
      return {x: box.left + p.x, y: box.top + p.y};
    }""", code)
    assert point, f"no label of {code} on the map"
    page.mouse.click(point["x"], point["y"])


def _assert_same_origin(page, live_url: str) -> None:
    foreign = [url for url in page.seen_urls
               if not url.startswith((live_url, "data:", "blob:"))]
    assert foreign == []


def test_province_to_commune_by_ranking_and_map_and_back(live_url, drill_page):
    page = drill_page
    _open(page, f"{live_url}/drill/")
    stats = _stats(page)
    assert stats["unit"]["level"] == "province"
    assert page.inner_text("#unit-name") == stats["unit"]["name"] == "Tỉnh Thanh Hóa"
    # The panel lists every layer's count as the API gave it.
    rows = page.eval_on_selector_all("#layer-counts tr", "rows => rows.map(r => "
                                     "[r.dataset.key, r.querySelector('.num').textContent])")
    assert [key for key, _ in rows] == [layer["slug"] for layer in stats["layers"]]
    # The choropleth colours the current communes the API counted.
    children = {unit["code"] for unit in stats["choropleth"]["units"]}
    assert stats["choropleth"]["level"] == "commune" and len(children) > 100
    drawn = _choropleth_codes(page)
    assert drawn and drawn <= children
    # The legend's classes cover the counts without gaps or overlaps, up to the largest.
    ranges = []
    for text in page.eval_on_selector_all("#legend .legend-row", "rows => rows.map("
                                          "r => r.textContent)"):
        low, _, high = text.replace(".", "").partition("–")
        ranges.append((int(low), int(high or low)))
    counts = [u["count"] for u in stats["choropleth"]["units"] if u["count"] > 0]
    assert ranges[0][0] == 1 and ranges[-1][1] == max(counts)
    assert all(low <= high for low, high in ranges)
    assert all(b[0] == a[1] + 1 for a, b in zip(ranges, ranges[1:]))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "province.png"))

    # Ranking: the unit with the most features of the layer comes first; a click drills in.
    first = page.locator("#ranking li").first
    code = first.get_attribute("data-code")
    first.locator("button").click()
    page.wait_for_function(f"() => window.iocDrill.stats.unit.code === '{code}'",
                           timeout=TIMEOUT)
    page.wait_for_function(MAP_IDLE, timeout=TIMEOUT)
    commune = _stats(page)
    assert commune["unit"]["level"] == "commune"
    assert page.inner_text("#unit-name") == commune["unit"]["name"]
    assert [u["code"] for u in commune["breadcrumb"]] == [stats["unit"]["code"], code]
    assert parse_qs(urlparse(page.url).query)["unit"] == [code]
    page.screenshot(path=str(ARTIFACTS / "commune.png"))

    # The breadcrumb goes back up; then a click on the map drills into another commune.
    page.click(f"#breadcrumb button[data-code='{stats['unit']['code']}']")
    page.wait_for_function("() => window.iocDrill.stats.unit.level === 'province'",
                           timeout=TIMEOUT)
    page.wait_for_function(MAP_IDLE, timeout=TIMEOUT)
    target = sorted(_choropleth_codes(page) - {code})[0]
    _click_unit_on_map(page, target)
    page.wait_for_function(f"() => window.iocDrill.stats.unit.code === '{target}'",
                           timeout=TIMEOUT)
    assert page.inner_text("#breadcrumb").startswith("Tỉnh Thanh Hóa")
    assert page.errors == []
    _assert_same_origin(page, live_url)


def test_the_pre_reform_generation_drills_province_district_commune(live_url, drill_page):
    page = drill_page
    _open(page, f"{live_url}/drill/")
    page.select_option("select[name=generation]", "pre2025")
    page.wait_for_function("() => window.iocDrill.stats.unit.generation === 'pre2025'",
                           timeout=TIMEOUT)
    page.wait_for_function(MAP_IDLE, timeout=TIMEOUT)
    province = _stats(page)
    assert province["choropleth"]["level"] == "district"
    districts = {u["code"] for u in province["choropleth"]["units"]}
    from layers.conf import PRE_REFORM_REFERENCE_DATE
    from layers.models import AdminLevel, AdminUnit
    from layers.selectors import valid_on

    assert districts == set(AdminUnit.objects.filter(
        valid_on(PRE_REFORM_REFERENCE_DATE), level=AdminLevel.DISTRICT)
        .values_list("code", flat=True))
    # The units tiles now draw the generation of 30 June 2025.
    assert page.evaluate("""() => window.iocMap.getSource(window.iocUi.config.units_source)
        .tiles.every(url => url.includes('date=2025-06-30'))""")
    _wait_for_choropleth(page)
    district = sorted(_choropleth_codes(page))[0]
    assert district in districts
    _click_unit_on_map(page, district)
    page.wait_for_function(f"() => window.iocDrill.stats.unit.code === '{district}'",
                           timeout=TIMEOUT)
    page.wait_for_function(MAP_IDLE, timeout=TIMEOUT)
    figures = _stats(page)
    assert figures["unit"]["level"] == "district"
    assert figures["choropleth"]["level"] == "commune"
    communes = [u["code"] for u in figures["choropleth"]["units"]]
    page.locator(f"#ranking li[data-code='{communes[0]}'] button").click()
    page.wait_for_function(f"() => window.iocDrill.stats.unit.code === '{communes[0]}'",
                           timeout=TIMEOUT)
    assert [u["code"] for u in _stats(page)["breadcrumb"]] == ["38", district, communes[0]]
    page.screenshot(path=str(ARTIFACTS / "pre2025-commune.png"))
    assert page.errors == []


def test_one_filter_reaches_counts_lists_and_tiles(live_url, drill_page):
    page = drill_page
    _open(page, f"{live_url}/drill/")
    before = _stats(page)
    seen_before = len(page.seen_urls)
    page.fill("input[name=since]", "2025-01-01")
    page.fill("input[name=until]", "2025-03-31")
    page.click("#filters button[type=submit]")
    page.wait_for_function("() => window.iocDrill.stats.since === '2025-01-01'",
                           timeout=TIMEOUT)
    page.wait_for_function(MAP_IDLE, timeout=TIMEOUT)
    after = _stats(page)
    assert after["until"] == "2025-03-31"
    asked = page.seen_urls[seen_before:]
    # The counts and the incident lists were asked with the same window...
    for path in ("/api/units/38/stats/", "/api/drill/units/38/incidents/"):
        hits = [u for u in asked if urlparse(u).path == path]
        assert hits, path
        assert all(parse_qs(urlparse(u).query).get("since") == ["2025-01-01"] and
                   parse_qs(urlparse(u).query).get("until") == ["2025-03-31"] for u in hits)
    # ... and every temporal layer's tiles draw it (until: the next local midnight).
    temporal = [layer["slug"] for layer in after["layers"] if layer["temporal"]]
    for slug in temporal:
        tiles = page.evaluate("(slug) => window.iocMap.getSource(slug).tiles", slug)
        assert all("since=2025-01-01" in url and "until=2025-04-01" in url for url in tiles)
    fetched = [u for u in asked if re.search(r"/tiles/(%s)/\d+/" % "|".join(temporal), u)]
    assert fetched and all("since=2025-01-01" in u for u in fetched)
    # Temporal counts shrink to the window; the others stay.
    counts = {layer["slug"]: layer["count"] for layer in before["layers"]}
    for layer in after["layers"]:
        if layer["temporal"]:
            assert layer["count"] < counts[layer["slug"]]
        else:
            assert layer["count"] == counts[layer["slug"]]
    assert json.loads(json.dumps(parse_qs(urlparse(page.url).query)))["since"] == ["2025-01-01"]
    assert page.errors == []


def test_a_report_title_of_markup_stays_text(live_url, drill_page, leader):
    page = drill_page
    _open(page, f"{live_url}/drill/")
    item = page.locator(f"#recent li[data-id='{leader[1]}'] .title")
    assert item.inner_text() == XSS
    assert page.locator("#recent img").count() == 0
    assert page.evaluate("() => document.body.dataset.pwned") is None
    assert page.errors == []


def test_english_switch(live_url, drill_page):
    page = drill_page
    _open(page, f"{live_url}/drill/")
    page.click(".language button[value=en]")
    page.wait_for_function(MAP_IDLE, timeout=TIMEOUT)
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Objects by layer" in page.inner_text("#layers-title")
    page.click(".language button[value=vi]")
    page.wait_for_function(MAP_IDLE, timeout=TIMEOUT)
    assert page.inner_text("#layers-title") == "Đối tượng theo lớp"
