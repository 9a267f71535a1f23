"""The incidents issue's "Done when", end to end on real processes as deployed: a report sent
from the citizen form on a phone-sized headless Chromium appears on an operator's map (another
browser context) in under a second, is routed to the right commune, and is walked through the
whole workflow.

- HTTP: granian (WSGI, ioc_gis.wsgi) with collected static files served by whitenoise, as after
  `make prepare`; sockets: uvicorn (ioc_gis.asgi). Both on the test database, sharing a real
  Redis channel layer under a prefix of this run, the socket on a port of its own (the demo's
  layout: IOC_LIVE_WS_PORT, which the CSP then allows).
- Context A: an operator (sector operator bound to the whole province, with a confirmed TOTP
  device and a session that passed it) on /dieu-hanh/ban-do/. Context B: a phone (390 × 844,
  touch) on /phan-anh/.
- Times are taken in the browser (one clock: both contexts live in one Chromium): from the end of
  the POST /api/incidents/ response to the tracking id in A's event list, and to the incident
  among A's `querySourceFeatures` of the `incidents` source (and its rendered features). They
  are printed and written to var/test-artifacts/live/done-when.json.

Everything the servers commit (incidents, their map features, the operator, sessions) and the
Redis keys of the prefix are removed afterwards."""
import json
import re
import shutil
import time
import uuid
from dataclasses import dataclass

import pytest

from tests.browser.conftest import signed_in_context

from tests.live.servers import (LOGS, ROOT, Server, collect_static, database_url, deployed_pair,
                                own_connection, running)
from tests.live.sockets import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
PLACE = (105.9004, 19.7406)  # Sầm Sơn, near the beach road
CATEGORY = "hu-hong-mat-duong"
DESCRIPTION = "Ổ gà lớn trước số 12 đường Hồ Xuân Hương\nNước đọng, xe máy phải tránh."
WORKFLOW = ["verified", "assigned", "in_progress", "resolved", "closed"]
LIST_BUDGET_MS = 1000
SETUP_TIMEOUT_MS = 90_000   # first map loads on a slow, shared 2-core machine
STEP_TIMEOUT_MS = 20_000    # anything after the setup
MAP_IDLE = ("() => window.iocMap && window.iocMap.loaded() && !window.iocMap.isMoving()"
            " && document.getElementById('map').dataset.iocState === 'idle'")
ARTIFACTS = ROOT / "var" / "test-artifacts"

# Stamps, in page A, the first moment each tracking id is in the event list, among the
# features MapLibre holds for the incidents source (querySourceFeatures) and among the features
# it has drawn (queryRenderedFeatures). Date.now(): the clock of Playwright's request timings.
RECORDER = """() => {
  const map = window.iocMap;
  const seen = {list: {}, source: {}, rendered: {}, status: {}};
  const stamp = (table, id) => { if (id && !(id in table)) table[id] = Date.now(); };
  const list = document.getElementById('event-list');
  new MutationObserver(() => {
    for (const item of list.querySelectorAll('li[data-id]')) {
      stamp(seen.list, item.dataset.id);
      stamp(seen.status, item.dataset.id + '/' + item.dataset.status);
    }
  }).observe(list, {childList: true});
  const layers = map.getStyle().layers.filter((l) => l.source === 'incidents').map((l) => l.id);
  const scanSource = () => {
    for (const f of map.querySourceFeatures('incidents', {sourceLayer: 'incidents'})) {
      stamp(seen.source, f.properties.id);
    }
  };
  const scanRendered = () => {
    for (const f of map.queryRenderedFeatures({layers: layers})) {
      stamp(seen.rendered, f.properties.id);
    }
  };
  map.on('data', scanSource);
  map.on('render', scanRendered);
  setInterval(scanSource, 20);
  window.__doneWhen = seen;
  return layers;
}"""
# The data version the incidents source's tile URLs carry (null before the first refresh).
TILES_VERSION = """() => {
  const tiles = window.iocMap.getSource('incidents').tiles || [];
  const found = /[?&]v=(\\d+)/.exec(tiles[0] || '');
  return found ? Number(found[1]) : null;
}"""
FEATURE_STATUS = """(id) => {
  const found = window.iocMap.querySourceFeatures('incidents', {sourceLayer: 'incidents'})
    .filter((f) => f.properties.id === id);
  return found.length ? found[0].properties.status : null;
}"""


@dataclass
class Deployed:
    http: Server
    ws: Server
    cookie: str
    operator_id: int
    first_new_incident: int

    @property
    def socket_url(self) -> str:
        return f"ws://127.0.0.1:{self.ws.port}/ws/incidents/"


class Watch:
    """Requests to another origin, sockets to anything but our socket server, console errors
    and page errors of one page (observed, not intercepted: no detour through Python for the
    tiles whose timing is measured)."""

    def __init__(self, page, origin: str, sockets: tuple[str, ...] = ()):
        self.foreign, self.sockets, self.console_errors, self.page_errors = [], [], [], []
        self.requested = []
        own = (origin + "/", "data:", "blob:" + origin + "/")
        page.on("request", lambda r: self.requested.append(r.url) if r.url.startswith(own)
                else self.foreign.append(r.url))
        page.on("websocket", lambda ws: self.sockets.append(ws.url))
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        self.allowed_sockets = set(sockets)

    def assert_clean(self) -> None:
        assert sorted(set(self.foreign)) == []
        assert set(self.sockets) <= self.allowed_sockets, self.sockets
        assert self.console_errors == [] and self.page_errors == []


@pytest.fixture(scope="module")
def deployed(django_db_setup, django_db_blocker, end_idle_db_sessions, redis_url,
             tmp_path_factory):
    """granian + uvicorn on the test database, Redis under a prefix of this run, static files
    collected into a directory of this run; everything they commit is removed afterwards."""
    prefix = f"ioc-donewhen-{uuid.uuid4().hex[:10]}"
    workdir = tmp_path_factory.mktemp("donewhen")
    operator_id, cookie, last, database = own_connection(django_db_blocker, _prepare, prefix)
    http, ws, env = deployed_pair("donewhen", workdir, database=database, redis_url=redis_url,
                                  prefix=prefix)
    stack = Deployed(http=http, ws=ws, cookie=cookie, operator_id=operator_id,
                     first_new_incident=last + 1)
    try:
        collect_static(env)
        with running(ws, http):
            yield stack
    finally:
        own_connection(django_db_blocker, _clean, stack, redis_url, prefix)
        shutil.rmtree(workdir, ignore_errors=True)


def _prepare(prefix: str) -> tuple[int, str, int, str]:
    """The operator, a session of theirs that passed the second factor, the last incident id
    before the test, the database URL for the servers."""
    from django.db import connection

    from incidents.models import Incident

    operator, device = _operator(prefix)
    cookie = session_cookie(operator, otp_device=device)
    last = Incident.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return operator.pk, cookie, last, database_url(connection.settings_dict)


def _operator(prefix: str):
    """A sector operator bound to the whole province (every sector), with a confirmed TOTP
    device: province-wide on the map and the feed, allowed every step of the workflow."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from access.models import Jurisdiction
    from layers.models import AdminLevel, AdminUnit

    user = get_user_model().objects.create_user(f"dh-{prefix}", password=None, is_staff=True,
                                                first_name="Điều", last_name="Hành Viên")
    user.groups.add(Group.objects.get(name="sector_operator"))
    jurisdiction = Jurisdiction.objects.create(user=user, sectors=[])
    jurisdiction.units.set([AdminUnit.objects.get(level=AdminLevel.PROVINCE,
                                                  valid_to__isnull=True)])
    device = TOTPDevice.objects.create(user=user, name="điện thoại công vụ", confirmed=True)
    return user, device


def _clean(stack: Deployed, redis_url: str, prefix: str) -> None:
    import redis
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session

    from incidents.models import Incident, IncidentPhoto
    from layers.models import Feature

    made = Incident.objects.filter(id__gte=stack.first_new_incident)
    ids = list(made.values_list("public_id", flat=True))
    for photo in IncidentPhoto.objects.filter(incident__in=made):
        photo.image.delete(save=False)
    made.filter(duplicate_of__isnull=False).delete()
    made.delete()
    Feature.objects.filter(layer__slug="incidents", external_id__in=ids).delete()
    Session.objects.filter(session_key=stack.cookie.split("=", 1)[1]).delete()
    get_user_model().objects.filter(pk=stack.operator_id).delete()
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}*", count=1000):
        client.delete(key)


@pytest.fixture
def operator_page(browser, deployed):
    """Context A: the operator's desk, signed in (session cookie of a verified session)."""
    context = signed_in_context(browser, url=deployed.http.url, cookie=deployed.cookie,
                                viewport=DESK)
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    page.watch = Watch(page, deployed.http.url, sockets=(deployed.socket_url,))
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, deployed):
    """Context B: a citizen's phone, 390 × 844 with touch, nobody signed in."""
    context = browser.browser.new_context(viewport=PHONE, screen=PHONE, has_touch=True,
                                          is_mobile=True, locale="vi-VN",
                                          timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    page.watch = Watch(page, deployed.http.url)
    yield page
    context.close()


def open_operator_map(page, deployed: Deployed) -> int | None:
    """The operator map at street level on the place of the report (single points from z16,
    clusters below), connected, its incidents tiles loaded at the socket's data version."""
    page.goto(f"{deployed.http.url}/dieu-hanh/ban-do/#16/{PLACE[1]}/{PLACE[0]}")
    assert page.locator("h1").inner_text() == "Bản đồ điều hành"
    page.locator("#live-status[data-state=open]").wait_for(timeout=SETUP_TIMEOUT_MS)
    page.wait_for_function("() => window.iocMap && window.iocMap.getSource('incidents')"
                           " && window.iocMap.isSourceLoaded('incidents')",
                           timeout=SETUP_TIMEOUT_MS)
    page.wait_for_function(MAP_IDLE, timeout=SETUP_TIMEOUT_MS)
    assert page.inner_text("#live-status-text") == "Đang nhận cập nhật trực tiếp"
    assert page.locator("#event-list li").count() == 0
    layers = page.evaluate(RECORDER)
    assert "incidents-points" in layers, layers
    return page.evaluate(TILES_VERSION)


def fill_report_on_phone(page, deployed: Deployed) -> tuple[float, float]:
    """Category, a finger's tap on our map, the description; returns the pin's lon/lat."""
    page.goto(f"{deployed.http.url}/phan-anh/")
    page.wait_for_function(MAP_IDLE, timeout=SETUP_TIMEOUT_MS)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.select_option("#category", CATEGORY)
    page.evaluate("([lon, lat]) => window.iocMap.jumpTo({center: [lon, lat], zoom: 15})",
                  list(PLACE))
    page.wait_for_function(MAP_IDLE, timeout=SETUP_TIMEOUT_MS)
    page.locator("#map").scroll_into_view_if_needed()
    box = page.locator("#map").bounding_box()
    x, y = page.evaluate("([lon, lat]) => { const p = window.iocMap.project([lon, lat]);"
                         " return [p.x, p.y]; }", list(PLACE))
    page.touchscreen.tap(box["x"] + x, box["y"] + y)
    page.wait_for_function("() => document.getElementById('lat').value !== ''")
    page.locator("#location-status", has_text="Sầm Sơn").wait_for()
    page.fill("#description", DESCRIPTION)
    return float(page.input_value("#lon")), float(page.input_value("#lat"))


def submit_on_phone(page, deployed: Deployed) -> tuple[str, float]:
    """Tap "Gửi phản ánh"; (tracking id, end of the POST's response in epoch ms)."""
    def is_post(request) -> bool:
        return request.method == "POST" and request.url == f"{deployed.http.url}/api/incidents/"

    # "requestfinished": the request's timing is complete by then.
    with page.expect_event("requestfinished", is_post, timeout=STEP_TIMEOUT_MS) as finished:
        page.tap("#submit-report")
    request = finished.value
    response = request.response()
    assert response.status == 201, response.text()
    timing = request.timing
    end = timing["responseEnd"] if timing["responseEnd"] >= 0 else timing["responseStart"]
    return response.json()["id"], timing["startTime"] + end


def stamps(page, public_id: str) -> dict:
    return page.evaluate("(id) => ({list: window.__doneWhen.list[id],"
                         " source: window.__doneWhen.source[id],"
                         " rendered: window.__doneWhen.rendered[id]})", public_id)


def csrf_token(context, deployed: Deployed) -> str:
    """A CSRF token of the operator's session (from a form of the admin, their own site)."""
    html = context.request.get(f"{deployed.http.url}/admin/").text()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def transition(context, deployed: Deployed, token: str, public_id: str, to: str) -> float:
    """POST /api/incidents/{id}/transition/ with the operator's session; epoch ms of the answer."""
    answer = context.request.post(
        f"{deployed.http.url}/api/incidents/{public_id}/transition/",
        headers={"X-CSRFToken": token, "Referer": f"{deployed.http.url}/dieu-hanh/ban-do/"},
        data={"to": to, "note": f"Bước {to}", "public": True})
    answered = time.time() * 1000
    assert answer.status == 200, answer.text()
    body = answer.json()
    assert body["status"] == to and body["id"] == public_id
    return answered


def expect_tracked_status(page, deployed: Deployed, public_id: str, status: str) -> None:
    """The citizen opens the tracking page again; its map is left to finish loading (leaving a
    page mid-load makes MapLibre log the aborted fetches as errors)."""
    page.goto(f"{deployed.http.url}/phan-anh/{public_id}/")
    page.locator(f"#status[data-status={status}]").wait_for()
    page.wait_for_function(MAP_IDLE, timeout=SETUP_TIMEOUT_MS)


def _duplicates_near_place() -> list[str]:
    """Reports the form would offer as duplicates of ours (there must be none)."""
    from django.contrib.gis.geos import Point

    from incidents.selectors import category_get, incident_duplicates_near

    return list(incident_duplicates_near(category=category_get(code=CATEGORY),
                                         point=Point(*PLACE, srid=4326))
                .values_list("public_id", flat=True))


def _routing(public_id: str, lon: float, lat: float) -> dict:
    """The stored incident beside what routing the pin gives: the commune containing it (the
    layers selector) and the unit that handles the category there."""
    from django.contrib.gis.geos import Point
    from django.utils import timezone

    from incidents.models import HandlingLevel, Incident
    from layers.selectors import unit_ancestors, unit_containing

    incident = Incident.objects.select_related("category").get(public_id=public_id)
    commune = unit_containing(point=Point(lon, lat, srid=4326), day=timezone.localdate())
    handler = (commune if incident.category.handling_level == HandlingLevel.COMMUNE
               else unit_ancestors(unit=commune)[-1])
    return {"commune": (commune.code, commune.name), "handler": handler.code,
            "stored": {"commune": incident.commune_code, "handler": incident.assigned_unit_code,
                       "lon_lat": (incident.location.x, incident.location.y),
                       "category": incident.category.code, "channel": incident.channel,
                       "status": incident.status}}


def _outcome(public_id: str) -> tuple[str, int | None, list[tuple[str, int]]]:
    """Status, rating and the (to_status, actor) of every transition of the incident."""
    from incidents.models import Incident

    incident = Incident.objects.get(public_id=public_id)
    moves = incident.events.filter(kind="transition").order_by("id")
    return incident.status, incident.rating, list(moves.values_list("to_status", "actor_id"))


def test_a_phone_report_reaches_the_operator_map_within_a_second_and_runs_the_workflow(
        deployed, operator_page, phone_page, django_db_blocker):
    from citizen.labels import status_name

    operator, phone = operator_page, phone_page
    assert own_connection(django_db_blocker, _duplicates_near_place) == [], \
        "a report of this category near the place would be offered as a duplicate first"
    connected_version = open_operator_map(operator, deployed)
    assert operator.watch.sockets == [deployed.socket_url]  # as {% live_socket_meta %} said
    lon, lat = fill_report_on_phone(phone, deployed)

    # --- the report, from the phone to the operator's list and map ---------------------------
    public_id, posted = submit_on_phone(phone, deployed)
    assert re.fullmatch(r"PA-[0-9A-Z]{8}", public_id)
    item = operator.locator(f"#event-list li[data-id='{public_id}']")
    item.wait_for()
    for table in ("source", "rendered"):
        operator.wait_for_function(f"(id) => window.__doneWhen.{table}[id] !== undefined",
                                   arg=public_id)
    seen = stamps(operator, public_id)
    figures = {"post_response_to_operator_list_ms": round(seen["list"] - posted, 1),
               "post_response_to_map_source_features_ms": round(seen["source"] - posted, 1),
               "post_response_to_map_rendered_ms": round(seen["rendered"] - posted, 1)}
    print("\ndone-when: phone report → operator:", json.dumps(figures))
    assert figures["post_response_to_operator_list_ms"] < LIST_BUDGET_MS, figures

    phone.locator("#report-done").wait_for(state="visible")
    assert phone.inner_text("#done-id") == public_id
    # The refresh: the incidents tiles asked for again with the event's (newer) data version.
    version = operator.evaluate(TILES_VERSION)
    figures["data_version"] = {"at_connect": connected_version, "after_report": version}
    assert version is not None and version > (connected_version or 0), figures
    assert any(re.search(rf"/tiles/incidents/16/\d+/\d+\.pbf\?v={version}$", url)
               for url in operator.watch.requested), figures

    # The list item: tracking id, what, where, status and time, as the event carried them.
    assert item.get_attribute("data-type") == "incident.created"
    assert item.get_attribute("data-status") == "new"
    text = item.inner_text()
    assert "Phản ánh mới" in text and "Mới tiếp nhận" in text and "Hư hỏng mặt đường" in text
    assert re.search(r"\b\d{2}:\d{2}:\d{2}\b", text)
    assert operator.locator(".pulse.status-new").count() >= 1
    assert operator.evaluate(FEATURE_STATUS, public_id) == "new"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    operator.screenshot(path=str(ARTIFACTS / "operator-map-live.png"))
    phone.screenshot(path=str(ARTIFACTS / "phone-report-sent.png"))

    # --- routed to the commune under the pin ---------------------------------------------------
    routing = own_connection(django_db_blocker, _routing, public_id, lon, lat)
    code, name = routing["commune"]
    assert "Sầm Sơn" in name
    assert routing["stored"]["commune"] == code
    assert routing["stored"]["handler"] == routing["handler"]
    assert routing["stored"]["lon_lat"] == pytest.approx((lon, lat), abs=1e-6)
    assert (routing["stored"]["category"], routing["stored"]["channel"],
            routing["stored"]["status"]) == (CATEGORY, "citizen_web", "new")
    # …and so the operator was told: the event's commune, named in the list.
    assert item.get_attribute("data-commune") == code and name in text

    # --- the whole workflow, by the operator through the API ------------------------------------
    phone.click("#done-link")
    phone.wait_for_url(f"**/phan-anh/{public_id}/")
    phone.wait_for_function(MAP_IDLE, timeout=SETUP_TIMEOUT_MS)
    assert phone.get_attribute("#status", "data-status") == "new"
    token = csrf_token(operator.context, deployed)
    steps = {}
    for to in WORKFLOW:
        answered = transition(operator.context, deployed, token, public_id, to)
        key = f"{public_id}/{to}"
        operator.wait_for_function("(key) => window.__doneWhen.status[key] !== undefined",
                                   arg=key)
        steps[to] = round(operator.evaluate("(key) => window.__doneWhen.status[key]", key)
                          - answered, 1)
        operator.wait_for_function(f"(id) => ({FEATURE_STATUS})(id) === '{to}'", arg=public_id)
        expect_tracked_status(phone, deployed, public_id, to)
        assert phone.inner_text("#status") == status_name(to)
        if to == "resolved":
            phone.locator("#rating").wait_for(state="visible")
            phone.tap("label[for=rating-4]")
            phone.tap("#rating-form button[type=submit]")
            phone.locator("#rating-done", has_text="4/5").wait_for()
    figures["transition_answer_to_operator_list_ms"] = steps
    print("done-when: transitions → operator list:", json.dumps(steps))

    events = operator.eval_on_selector_all(
        f"#event-list li[data-id='{public_id}']",
        "items => items.map(i => [i.dataset.type, i.dataset.status]).reverse()")
    assert events == [["incident.created", "new"]] + [["incident.updated", s] for s in WORKFLOW]
    status, rating, moves = own_connection(django_db_blocker, _outcome, public_id)
    assert (status, rating) == ("closed", 4)
    assert moves == [(s, deployed.operator_id) for s in WORKFLOW]
    phone.locator("#rating-done", has_text="4/5").wait_for()  # the closed report keeps it

    operator.screenshot(path=str(ARTIFACTS / "operator-map-workflow.png"))
    LOGS.mkdir(parents=True, exist_ok=True)
    (LOGS / "done-when.json").write_text(json.dumps(figures, indent=2))
    operator.watch.assert_clean()
    phone.watch.assert_clean()
