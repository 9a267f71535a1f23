"""The strategic dashboard (/dashboard/) in Debian's headless Chromium, on the committed demo
KPIs (and what needs attention, from the insights app): cards for every sector with their
status colours; one filter (sector, period, unit) reaching cards, map and chart alike; drilling
from the province into a unit by the ranking and back, down to the records behind a computed
KPI; the briefing, downloaded and opened from disk with every request aborted, showing its KPI
table and map; markup in a KPI's name shown as text; nothing fetched from another origin.
Screenshots go to var/test-artifacts/dashboard/."""
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.dashboard.dashboard_seed import committed_kpis

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "dashboard"
READY = ("() => window.iocMap && window.iocMap.loaded()"
         " && document.getElementById('map').dataset.dashState === 'ready'")
XSS = "<img src=x onerror=\"document.body.dataset.pwned='1'\">"
TIMEOUT = 60_000
COLOURS = {"green": "rgb(46, 125, 50)", "amber": "rgb(249, 168, 37)",
           "red": "rgb(198, 40, 40)", "grey": "rgb(158, 158, 158)"}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with committed_kpis(django_db_blocker) as report:
        yield report


@pytest.fixture(scope="module")
def leader(django_db_blocker, seeded):
    """A committed province leader (removed afterwards) and their session cookie."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from access.models import Jurisdiction
    from layers.models import AdminLevel, AdminUnit
    from tests.live.sockets import session_cookie

    with django_db_blocker.unblock():
        user = get_user_model().objects.create_user("lanh-dao-dashboard", password="x")
        user.groups.add(Group.objects.get(name="province_leader"))
        jurisdiction = Jurisdiction.objects.create(user=user, sectors=[])
        jurisdiction.units.set([AdminUnit.objects.get(level=AdminLevel.PROVINCE,
                                                      valid_to__isnull=True)])
        cookie = session_cookie(user)
    yield user, cookie
    with django_db_blocker.unblock():
        user.delete()


@pytest.fixture
def dash_page(live_url, browser, page, leader):
    name, value = leader[1].split("=", 1)
    browser.add_cookies([{"name": name, "value": value, "url": live_url}])
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda dialog: (page.errors.append("dialog " + dialog.message),
                                      dialog.dismiss()))
    return page


def _open(page, url: str) -> None:
    page.goto(url)
    _ready(page)


def _ready(page, after: int | None = None) -> None:
    """Wait until the dashboard has drawn its state (after load number `after`, if given)."""
    condition = READY if after is None else (
        f"() => window.iocDashboard.loads > {after} && ({READY[6:]})")
    try:
        page.wait_for_function(condition, timeout=TIMEOUT)
    except Exception as error:  # say where the page got stuck
        text = page.evaluate("() => document.body.innerText.slice(0, 300)")
        raise AssertionError(f"{page.url} never ready: {page.errors} {text!r}") from error


def _dash(page, name: str):
    return page.evaluate(f"() => window.iocDashboard.{name}")


def _loads(page) -> int:
    return page.evaluate("() => window.iocDashboard.loads")


def _choropleth_codes(page) -> set[str]:
    return set(page.evaluate("""() => window.iocMap.queryRenderedFeatures(
        {layers: ['dash-choropleth']}).map(f => String(f.properties.code))"""))


def _assert_same_origin(page, live_url: str) -> None:
    foreign = [url for url in page.seen_urls if not url.startswith((live_url, "data:", "blob:"))]
    assert foreign == []


def test_cards_of_every_sector_with_status_colours_map_chart_and_attention(live_url, dash_page):
    page = dash_page
    _open(page, f"{live_url}/dashboard/?kpi=tourism-revenue")
    config = page.evaluate("() => window.iocUi.config")
    summary = _dash(page, "summary")
    sections = page.eval_on_selector_all("#cards section.sector", "s => s.map(x => x.dataset.sector)")
    assert sections == [code for code, _ in config["sectors"]] and len(sections) == 10
    cards = page.eval_on_selector_all("#cards .card", """cards => cards.map(c => [
        c.dataset.kpi, c.dataset.status, getComputedStyle(c).borderLeftColor,
        c.querySelector('.card-value strong').textContent])""")
    assert [c[0] for c in cards] == [c["code"] for c in sorted(
        summary["cards"], key=lambda c: sections.index(c["sector"]))]
    statuses = {status for _, status, _, _ in cards}
    assert {"green", "grey"} <= statuses and statuses & {"amber", "red"}
    for code, status, colour, value in cards:
        assert colour == COLOURS[status], (code, status, colour)
    assert all(value != "–" for code, status, _, value in cards if status != "grey")
    # The chosen KPI: its card is marked, the map colours its communes, the chart draws it.
    assert page.get_attribute(".card[data-kpi='tourism-revenue']", "aria-pressed") == "true"
    across = _dash(page, "across")
    assert across["kpi"]["code"] == "tourism-revenue" and across["level"] == "commune"
    drawn = _choropleth_codes(page)
    assert drawn and drawn <= {u["code"] for u in across["units"]}
    assert "Tổng thu từ du lịch" in page.inner_text("#legend")
    assert page.locator("#chart svg polyline.value").count() >= 1
    assert page.locator("#chart svg polyline.target").count() == 1
    # What is deteriorating (the insights' evidence) and what is forecast (with its error).
    attention = page.eval_on_selector_all("#attention li", "items => items.map(i => "
                                          "[i.dataset.kpi, i.dataset.kind, i.innerText])")
    assert attention and any(kpi == "tourism-revenue" for kpi, _, _ in attention)
    assert any("kỳ liên tiếp không đạt" in text for _, kind, text in attention
               if kind == "STREAK")
    assert all("tau = " in text and "p = " in text for _, kind, text in attention
               if kind == "TREND")
    forecast = _dash(page, "forecast")
    assert forecast["points"], forecast.get("reason")
    assert page.locator("#chart svg polygon.band").count() == 2
    assert page.inner_text("#mape").startswith(("MAPE ", "sMAPE "))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "province.png"))
    assert page.errors == []
    _assert_same_origin(page, live_url)


def test_a_filter_reaches_cards_map_and_chart(live_url, dash_page):
    page = dash_page
    _open(page, f"{live_url}/dashboard/")
    # Sector: only its cards; the map and the chart move to one of its KPIs.
    loads = _loads(page)
    page.select_option("select[name=sector]", "TOURISM")
    _ready(page, loads)
    sectors = set(page.eval_on_selector_all("#cards .card", "c => c.map(x => "
                                            "x.closest('section').dataset.sector)"))
    assert sectors == {"TOURISM"}
    state = _dash(page, "state")
    tourism = {c["code"] for c in _dash(page, "summary")["cards"]}
    assert state["kpi"] in tourism and _dash(page, "across")["kpi"]["code"] == state["kpi"]
    assert _dash(page, "series")["kpi"]["code"] == state["kpi"]
    name = page.inner_text(f".card[data-kpi='{state['kpi']}'] .card-name")
    assert name in page.inner_text("#chart-title") and name in page.inner_text("#legend")
    assert parse_qs(urlparse(page.url).query)["sector"] == ["TOURISM"]
    # Picking another card: map and chart follow it.
    other = sorted(tourism - {state["kpi"]})[0]
    loads = _loads(page)
    page.click(f".card[data-kpi='{other}']")
    _ready(page, loads)
    assert _dash(page, "across")["kpi"]["code"] == other == _dash(page, "series")["kpi"]["code"]
    # Period: an older month reaches the cards, the map's period and the chart's last period.
    before = _dash(page, "across")["period"]["label"]
    config = page.evaluate("() => window.iocUi.config")
    month = config["periods"][8][0]
    loads = _loads(page)
    page.select_option("select[name=period]", month)
    _ready(page, loads)
    across = _dash(page, "across")
    assert across["period"]["label"] <= month < before
    card = next(c for c in _dash(page, "summary")["cards"] if c["code"] == other)
    assert card["latest"]["period"] == across["period"]["label"]
    assert card["latest"]["value"] == across["own"]["value"]
    assert _dash(page, "series")["periods"][-1]["period"] == month
    assert month in page.inner_text("#legend") or across["period"]["label"] in page.inner_text(
        "#legend")
    assert page.errors == []
    _assert_same_origin(page, live_url)


def test_ranking_drills_into_a_unit_and_down_to_the_records(live_url, dash_page):
    page = dash_page
    _open(page, f"{live_url}/dashboard/?kpi=tourist-arrivals&generation=pre2025")
    across = _dash(page, "across")
    assert across["level"] == "district" and len(across["units"]) == 26
    ranking = page.eval_on_selector_all("#ranking li", "items => items.map(i => i.dataset.code)")
    assert ranking == [u["code"] for u in across["units"]]
    best = across["units"][0]
    loads = _loads(page)
    page.locator(f"#ranking li[data-code='{best['code']}'] button").click()
    _ready(page, loads)
    inside = _dash(page, "across")
    assert inside["unit"]["code"] == best["code"] and inside["level"] == "commune"
    assert _dash(page, "summary")["unit"]["code"] == best["code"]
    assert page.inner_text("#unit-name") == best["name"]
    assert [u["code"] for u in inside["breadcrumb"]] == ["38", best["code"]]
    assert inside["own"]["value"] == best["value"]
    assert parse_qs(urlparse(page.url).query)["unit"] == [best["code"]]
    page.screenshot(path=str(ARTIFACTS / "district.png"))
    # Back up by the breadcrumb; then a computed KPI's records, current generation.
    loads = _loads(page)
    page.click("#breadcrumb button[data-code='38']")
    _ready(page, loads)
    assert _dash(page, "across")["unit"]["code"] == "38"
    page.goto(f"{live_url}/dashboard/?kpi=incidents-resolved-on-time")
    _ready(page)
    assert page.is_visible("#records-button")
    page.click("#records-button")
    page.wait_for_function("() => window.iocDashboard.records !== null", timeout=TIMEOUT)
    records = _dash(page, "records")
    assert records["total"] == records["figure"]["value"] == _dash(page, "across")["own"]["value"]
    assert page.locator("#records-list li[data-id]").count() == records["shown"] > 0
    assert page.locator("#records-list .on-time").count() == records["shown"]
    page.screenshot(path=str(ARTIFACTS / "records.png"))
    assert page.errors == []
    _assert_same_origin(page, live_url)


def test_the_briefing_opens_from_disk_with_every_request_aborted(live_url, dash_page, tmp_path,
                                                                 browser):
    page = dash_page
    _open(page, f"{live_url}/dashboard/?kpi=tourist-arrivals&generation=pre2025")
    with page.expect_download() as download:
        page.click("#briefing-html")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name.startswith("bao-cao-nhanh-tinh-thanh-hoa-") and path.suffix == ".html"
    _assert_same_origin(page, live_url)

    offline = browser.new_page()
    blocked = []

    def only_the_file(route):
        if route.request.url == path.as_uri():
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    offline.route("**/*", only_the_file)
    offline.goto(path.as_uri())
    rows = offline.locator("tr[data-kpi]")
    assert rows.count() == 40
    assert offline.locator("tr[data-kpi='tourist-arrivals'] .status").count() == 1
    frame = offline.frame_locator("#map")
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=TIMEOUT)
    assert frame.locator("path.leaflet-interactive").count() >= 26
    assert offline.locator("#ranking tbody tr").count() == 26
    assert offline.locator("svg.chart polyline.value").count() >= 1
    offline.screenshot(path=str(ARTIFACTS / "briefing.png"), full_page=True)
    offline.close()
    assert blocked == []


@pytest.fixture(scope="module")
def markup_name(django_db_blocker, seeded):
    """tourist-arrivals named with markup, committed (module scope: before the test's own
    transaction, so the live server sees it), then named back."""
    from kpi.models import Kpi

    with django_db_blocker.unblock():
        original = Kpi.objects.get(code="tourist-arrivals").name_vi
        Kpi.objects.filter(code="tourist-arrivals").update(name_vi=XSS)
    yield XSS
    with django_db_blocker.unblock():
        Kpi.objects.filter(code="tourist-arrivals").update(name_vi=original)


def test_markup_in_a_kpi_name_stays_text(live_url, markup_name, dash_page):
    page = dash_page
    _open(page, f"{live_url}/dashboard/?kpi=tourist-arrivals&generation=pre2025")
    assert page.inner_text(".card[data-kpi='tourist-arrivals'] .card-name") == XSS
    assert XSS in page.inner_text("#chart-title") and XSS in page.inner_text("#legend")
    assert XSS in page.inner_text("#selected-title")
    assert page.locator("img").count() == 0
    assert page.evaluate("() => document.body.dataset.pwned") is None
    assert page.errors == []
    _assert_same_origin(page, live_url)


def test_the_hotspot_layer_and_list_follow_the_dashboard_s_period(live_url, dash_page):
    """?hotspots=1 draws the Gi* cells of the period's incidents on the map and lists the hot
    ones; the cells drawn are those the hotspots API answers for the same window."""
    _open(dash_page, f"{live_url}/dashboard/?hotspots=1")
    dash_page.wait_for_function("() => window.iocDashboard.hotspots !== null", timeout=TIMEOUT)
    answer = _dash(dash_page, "hotspots")
    assert answer["type"] == "FeatureCollection" and answer["features"]
    assert dash_page.locator("#hotspots").is_visible()
    assert dash_page.locator("#hotspot-list li").count() >= 1
    summary = answer["summary"]
    direct = dash_page.evaluate(
        "async (q) => (await fetch('/api/hotspots/?' + q)).json()",
        f"since={summary['since']}&until={summary['until']}")
    assert sorted(f["properties"]["count"] for f in direct["features"]) == sorted(
        f["properties"]["count"] for f in answer["features"])
    layer = dash_page.evaluate("() => window.iocMap.getSource('dash-hotspots')"
                               " ? window.iocMap.getStyle().layers.map(l => l.id) : []")
    assert "dash-hotspots" in layer
    dash_page.locator("input[name=hotspots]").uncheck()
    dash_page.wait_for_function("() => !window.iocMap.getLayer('dash-hotspots')", timeout=TIMEOUT)
    assert not dash_page.locator("#hotspots").is_visible()
    assert dash_page.errors == []
