"""The operator console (/ops/) in headless Chromium, on real processes as deployed: granian
(HTTP, collected static files) and uvicorn (sockets) on the test database, sharing a Redis
channel layer under a prefix of this run (tests/live/servers.py, as
tests/browser/test_incident_done_when.py does).

- The page loads: the map reaches idle, the list is filled, no request leaves our origin
  (any such request fails the test), no console or page error.
- One filter reaches the list and the map: the incidents tiles are asked for again with the
  same filter (a sector as its categories, a status), a unit filter narrows the list and dims
  the tiles; the list's incidents are the map's rings.
- The drawer shows details, the SLA countdown ticking (overdue in red), history, photos and
  comments; a workflow move, an assignment and an internal note made there show up.
- A report sent through the API appears at the top of the open page within a second.
- A title `<img src=x onerror=alert(1)>` stays text in the list and the drawer.
Screenshots go to var/test-artifacts/ops/ (git-ignored). Everything the servers commit is
removed afterwards, with the Redis keys of the prefix."""
import json
import re
import shutil
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import signed_in_context

from tests.browser.test_incident_done_when import MAP_IDLE, Watch
from tests.live.servers import (ROOT, Server, collect_static, database_url, deployed_pair,
                                own_connection, running)
from tests.live.sockets import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db]

DESK = {"width": 1440, "height": 900}
SAM_SON = (105.9004, 19.7406)
CITY = (105.776, 19.807)
XSS = "<img src=x onerror=alert(1)>"
LIVE_BUDGET_MS = 1000
SETUP_TIMEOUT_MS = 90_000
STEP_TIMEOUT_MS = 20_000
ARTIFACTS = ROOT / "var" / "test-artifacts" / "ops"
LIST_READY = ("() => document.getElementById('incident-list').dataset.state === 'ready'"
              " && document.querySelectorAll('#incident-list li').length > 0")
# The first moment (Date.now()) each tracking id is in the list.
RECORDER = """() => {
  const seen = {};
  const list = document.getElementById('incident-list');
  new MutationObserver(() => {
    for (const item of list.querySelectorAll('li[data-id]')) {
      if (!(item.dataset.id in seen)) seen[item.dataset.id] = Date.now();
    }
  }).observe(list, {childList: true});
  window.__seen = seen;
}"""
INCIDENT_TILES = "() => (window.iocMap.getSource('incidents').tiles || [])[0] || ''"


@dataclass
class Deployed:
    http: Server
    ws: Server
    cookie: str
    operator_id: int
    first_new_incident: int
    seeded: dict = field(default_factory=dict)

    @property
    def socket_url(self) -> str:
        return f"ws://127.0.0.1:{self.ws.port}/ws/incidents/"


def _post(url: str, body: dict | None = None, *, files: bytes | None = None) -> dict:
    """An anonymous POST to the servers (a citizen's report, a photo)."""
    if files is not None:
        boundary = uuid.uuid4().hex
        data = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; "
                f"filename=\"anh.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").encode() + files + \
            f"\r\n--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    else:
        data, headers = json.dumps(body).encode(), {"Content-Type": "application/json"}
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=20) as answer:
        assert answer.status == 201
        return json.loads(answer.read())


def _report(deployed: Deployed, lon_lat, category: str, title: str, **extra) -> str:
    body = {"category": category, "lon": lon_lat[0], "lat": lon_lat[1], "title": title,
            "description": extra.pop("description", "Người dân phản ánh qua web"), **extra}
    return _post(f"{deployed.http.url}/api/incidents/", body)["id"]


def _jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 120, 40)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def deployed(django_db_setup, django_db_blocker, end_idle_db_sessions, redis_url,
             tmp_path_factory):
    """granian + uvicorn on the test database (static files and media of this run), Redis
    under a prefix of this run; three reports seeded through the API (one with an XSS title
    and a photo, one overdue); everything committed is removed afterwards."""
    prefix = f"ioc-ops-{uuid.uuid4().hex[:10]}"
    workdir = tmp_path_factory.mktemp("ops")
    operator_id, cookie, last, database = own_connection(django_db_blocker, _prepare, prefix)
    http, ws, env = deployed_pair("ops", workdir, database=database, redis_url=redis_url,
                                  prefix=prefix, settings=f"MEDIA_ROOT = {str(workdir / 'media')!r}\n")
    stack = Deployed(http=http, ws=ws, cookie=cookie, operator_id=operator_id,
                     first_new_incident=last + 1)
    try:
        collect_static(env)
        with running(ws, http):
            stack.seeded = {
                "overdue": _report(stack, CITY, "an-ninh-trat-tu", "Trộm xe máy trước chợ"),
                "security": _report(stack, SAM_SON, "an-ninh-trat-tu", "Tụ tập gây rối"),
                "xss": _report(stack, SAM_SON, "hu-hong-mat-duong", XSS,
                               description="<script>alert(2)</script>\nỔ gà sâu",
                               reporter_phone="0912345678"),
            }
            _post(f"{http.url}/api/reports/{stack.seeded['xss']}/photos/", files=_jpeg())
            own_connection(django_db_blocker, _make_overdue, stack.seeded["overdue"])
            yield stack
    finally:
        own_connection(django_db_blocker, _clean, stack, redis_url, prefix)
        shutil.rmtree(workdir, ignore_errors=True)


def _prepare(prefix: str) -> tuple[int, str, int, str]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from access.models import Jurisdiction
    from incidents.models import Incident
    from layers.models import AdminLevel, AdminUnit

    user = get_user_model().objects.create_user(f"ops-{prefix}", password=None, is_staff=True,
                                                first_name="Điều", last_name="Hành Viên")
    user.groups.add(Group.objects.get(name="sector_operator"))
    jurisdiction = Jurisdiction.objects.create(user=user, sectors=[])
    jurisdiction.units.set([AdminUnit.objects.get(level=AdminLevel.PROVINCE,
                                                  valid_to__isnull=True)])
    device = TOTPDevice.objects.create(user=user, name="điện thoại công vụ", confirmed=True)
    last = Incident.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return (user.pk, session_cookie(user, otp_device=device), last,
            database_url(connection.settings_dict))


def _make_overdue(public_id: str) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from incidents.models import Incident

    Incident.objects.filter(public_id=public_id).update(
        due_at=timezone.now() - timedelta(hours=2, minutes=5))


def _clean(stack: Deployed, redis_url: str, prefix: str) -> None:
    import redis
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session

    from incidents.models import Incident
    from layers.models import Feature

    made = Incident.objects.filter(id__gte=stack.first_new_incident)
    ids = list(made.values_list("public_id", flat=True))
    made.delete()
    Feature.objects.filter(layer__slug="incidents", external_id__in=ids).delete()
    Session.objects.filter(session_key=stack.cookie.split("=", 1)[1]).delete()
    get_user_model().objects.filter(pk=stack.operator_id).delete()
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}*", count=1000):
        client.delete(key)


def _stored(public_id: str) -> tuple[str, str]:
    from incidents.models import Incident

    incident = Incident.objects.get(public_id=public_id)
    return incident.status, incident.assigned_unit_code


def _commune_of(lon_lat) -> tuple[str, str]:
    from datetime import date

    from django.contrib.gis.geos import Point

    from layers.selectors import unit_containing

    unit = unit_containing(point=Point(*lon_lat, srid=4326), day=date.today())
    return unit.code, unit.name


@pytest.fixture
def ops_page(browser, deployed):
    """The operator's desk on /ops/ (a verified session), loaded: map idle, list filled."""
    context = signed_in_context(browser, url=deployed.http.url, cookie=deployed.cookie,
                                viewport=DESK)
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    page.watch = Watch(page, deployed.http.url, sockets=(deployed.socket_url,))
    page.dialogs = []
    page.failed = []
    page.on("response", lambda r: r.status >= 400 and page.failed.append((r.status, r.url)))
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{deployed.http.url}/ops/#12/{SAM_SON[1]}/{SAM_SON[0]}")
    page.wait_for_function(LIST_READY, timeout=SETUP_TIMEOUT_MS)
    page.locator("#live-status[data-state=open]").wait_for(timeout=SETUP_TIMEOUT_MS)
    page.wait_for_function("() => window.iocMap && window.iocMap.getSource('incidents')"
                           " && window.iocMap.isSourceLoaded('incidents')",
                           timeout=SETUP_TIMEOUT_MS)
    page.wait_for_function(MAP_IDLE, timeout=SETUP_TIMEOUT_MS)
    page.evaluate(RECORDER)
    yield page
    assert page.failed == []
    page.watch.assert_clean()
    assert page.dialogs == []
    context.close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def _listed(page) -> list[str]:
    return page.eval_on_selector_all("#incident-list li", "items => items.map(i => i.dataset.id)")


def _tile_query(page) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.evaluate(INCIDENT_TILES)).query).items()}


def _wait_list(page) -> None:
    page.wait_for_function("() => document.getElementById('incident-list').dataset.state"
                           " === 'ready'")


def _reset(page) -> None:
    """Press "Bỏ lọc", then wait for the list it loads (the reset's load starts a tick later)."""
    page.evaluate("() => { document.getElementById('incident-list').dataset.state = 'stale'; }")
    page.click("#filter-reset")
    _wait_list(page)


def test_the_console_loads_and_one_filter_reaches_list_and_map(ops_page, deployed,
                                                               django_db_blocker):
    page, seeded = ops_page, deployed.seeded
    assert page.locator("h1.screen-title").inner_text() == "Điều hành sự cố"
    assert page.inner_text("#live-status-text") == "Đang nhận cập nhật trực tiếp"
    listed = _listed(page)
    assert listed[:3] == [seeded["xss"], seeded["security"], seeded["overdue"]]
    # Citizen text is text: the payload is the title, no element came of it.
    xss_item = page.locator(f"#incident-list li[data-id='{seeded['xss']}']")
    assert xss_item.locator(".incident-title").inner_text() == XSS
    assert page.locator("#incident-list img").count() == 0
    assert sorted(page.evaluate("() => window.iocOps.ringIds()")) == sorted(listed)
    rendered = page.evaluate("() => window.iocMap.queryRenderedFeatures("
                             "{layers: ['ops-items-rings']}).map(f => f.properties.id)")
    assert seeded["xss"] in rendered and seeded["security"] in rendered
    _shot(page, "ops-loaded.png")

    # A sector: the list has its incidents only; the tiles are asked for with its categories.
    config = page.evaluate("() => window.iocUi.config")
    traffic = sorted(c["code"] for c in config["categories"] if c["sector"] == "TRAFFIC")
    page.select_option("#filter-sector", "TRAFFIC")
    _wait_list(page)
    page.wait_for_function(f"() => ({INCIDENT_TILES})().includes('category=')")
    assert sorted(_tile_query(page)["category"].split(",")) == traffic
    assert seeded["xss"] in _listed(page) and seeded["security"] not in _listed(page)
    page.wait_for_function(MAP_IDLE, timeout=SETUP_TIMEOUT_MS)
    assert any("/tiles/incidents/" in url and "category=" in url
               for url in page.watch.requested), "no filtered tile was fetched"
    # …plus a status: both filters on the tiles, the list narrowed the same way.
    page.select_option("#filter-status", "new")
    _wait_list(page)
    page.wait_for_function(f"() => ({INCIDENT_TILES})().includes('status=new')")
    assert sorted(_tile_query(page)["category"].split(",")) == traffic
    rows = page.eval_on_selector_all("#incident-list li", "items => items.map(i =>"
                                     " i.dataset.status)")
    assert rows and set(rows) == {"new"}
    page.wait_for_function(MAP_IDLE, timeout=SETUP_TIMEOUT_MS)
    _shot(page, "ops-filter-sector-status.png")

    # A unit (the tiles cannot filter by unit): the list narrows, the tiles dim, the rings are
    # exactly the list's.
    _reset(page)
    code, _ = own_connection(django_db_blocker, _commune_of, CITY)
    page.select_option("#filter-unit", code)
    _wait_list(page)
    in_city = _listed(page)
    assert seeded["overdue"] in in_city and seeded["xss"] not in in_city
    assert page.is_visible("#map-status")
    assert page.evaluate("() => window.iocMap.getPaintProperty('incidents-points',"
                         " 'circle-opacity')") < 1
    assert sorted(page.evaluate("() => window.iocOps.ringIds()")) == sorted(in_city)
    # Text search ignores diacritics.
    _reset(page)
    page.fill("#filter-q", "TROM xe may truoc cho")
    page.wait_for_function(f"() => document.querySelector('#incident-list li[data-id="
                           f"\"{seeded['overdue']}\"]') && !document.querySelector("
                           f"'#incident-list li[data-id=\"{seeded['xss']}\"]')")
    titles = page.eval_on_selector_all("#incident-list .incident-title",
                                       "t => t.map(x => window.iocUi.fold(x.textContent))")
    assert titles and all("trom xe may truoc cho" in title for title in titles), titles
    page.wait_for_function(MAP_IDLE, timeout=SETUP_TIMEOUT_MS)


def test_the_drawer_shows_everything_and_its_actions_work(ops_page, deployed,
                                                          django_db_blocker):
    page, seeded = ops_page, deployed.seeded
    xss = seeded["xss"]
    page.click(f"#incident-list li[data-id='{xss}'] button")
    page.locator(f"#drawer[data-id='{xss}'][data-state=ready]").wait_for()
    assert page.inner_text("#drawer-title") == f"{xss} · {XSS}"
    assert page.inner_text("#drawer-description") == "<script>alert(2)</script>\nỔ gà sâu"
    assert page.locator("#drawer img:not(#drawer-photos img)").count() == 0
    assert page.locator("#drawer script").count() == 0
    assert "0912345678" in page.inner_text("#drawer-body")  # an operator may see the contact
    # Photos: our photo URL, loaded.
    page.wait_for_function("() => { const i = document.querySelector('#drawer-photos img');"
                           " return i && i.complete && i.naturalWidth === 320; }")
    assert page.get_attribute("#drawer-photos img", "src") == f"/api/reports/{xss}/photos/1/"
    # The SLA countdown ticks.
    sla = page.locator("#drawer-sla")
    assert sla.get_attribute("data-state") in ("ok", "soon")
    before = sla.inner_text()
    assert before.startswith("Còn ")
    page.wait_for_function("(text) => document.getElementById('drawer-sla').textContent"
                           " !== text", arg=before)
    # History: the submission. Buttons: exactly the moves the API allows this user.
    assert page.eval_on_selector_all("#drawer-history li", "l => l.map(i => i.dataset.kind)")\
        == ["submitted"]
    buttons = page.eval_on_selector_all("#drawer-body button[data-to]",
                                        "b => b.map(x => x.dataset.to)")
    assert sorted(buttons) == ["duplicate", "rejected", "verified"]

    # A move from the drawer: verified, in the drawer, its history and the list.
    page.click("#drawer-body button[data-to=verified]")
    page.locator("#drawer[data-status=verified][data-state=ready]").wait_for()
    page.locator(f"#incident-list li[data-id='{xss}'][data-status=verified]").wait_for()
    assert page.eval_on_selector_all("#drawer-history li", "l => l.map(i => i.dataset.kind)")\
        == ["submitted", "transition"]
    assert "Điều Hành Viên" in page.inner_text("#drawer-history")
    buttons = page.eval_on_selector_all("#drawer-body button[data-to]",
                                        "b => b.map(x => x.dataset.to)")
    assert sorted(buttons) == ["assigned", "duplicate", "rejected"]

    # Assignment: to the city's commune, picked among the units in force.
    code, name = own_connection(django_db_blocker, _commune_of, CITY)
    page.select_option("#assign-unit", code)
    page.click("#drawer-body button[data-to=assigned]")
    page.locator("#drawer[data-status=assigned][data-state=ready]").wait_for()
    assert name in page.inner_text("#drawer-body dl")
    assert own_connection(django_db_blocker, _stored, xss) == ("assigned", code)

    # An internal note from the drawer shows up in its thread.
    page.fill("#comment-text", "Đã báo đội duy tu <b>đường</b>")
    page.click("#comment-form button[type=submit]")
    page.locator("#drawer-comments li.internal").wait_for()
    assert page.inner_text("#drawer-comments .comment-text") == "Đã báo đội duy tu <b>đường</b>"
    assert page.locator("#drawer-comments b").count() == 0
    _shot(page, "ops-drawer.png")

    # An overdue incident: the countdown says so, in red.
    page.click(f"#incident-list li[data-id='{seeded['overdue']}'] button")
    page.locator(f"#drawer[data-id='{seeded['overdue']}'][data-state=ready]").wait_for()
    page.locator("#drawer-sla[data-state=overdue]").wait_for()
    assert re.fullmatch(r"Quá hạn 02:\d\d:\d\d", page.inner_text("#drawer-sla"))
    assert page.evaluate("() => getComputedStyle(document.getElementById('drawer-sla')).color")\
        == "rgb(198, 40, 40)"
    page.wait_for_function(MAP_IDLE, timeout=SETUP_TIMEOUT_MS)
    _shot(page, "ops-drawer-overdue.png")


def test_a_report_sent_through_the_api_appears_within_a_second(ops_page, deployed):
    page = ops_page
    public_id = _report(deployed, SAM_SON, "hu-hong-mat-duong", XSS + " mới",
                        description="Cống vỡ, nước tràn mặt đường")
    answered = time.time() * 1000
    item = page.locator(f"#incident-list li[data-id='{public_id}']")
    item.wait_for()
    seen = page.evaluate("(id) => window.__seen[id]", public_id)
    figures = {"api_answer_to_ops_list_ms": round(seen - answered, 1)}
    print("\nops: API report → /ops/ list:", json.dumps(figures))
    assert figures["api_answer_to_ops_list_ms"] < LIVE_BUDGET_MS, figures
    assert _listed(page)[0] == public_id
    assert item.locator(".incident-title").inner_text() == XSS + " mới"
    assert page.locator("#incident-list img").count() == 0
    assert "fresh" in (item.get_attribute("class") or "")
    assert page.locator(".pulse.status-new").count() >= 1
    page.wait_for_function(MAP_IDLE, timeout=SETUP_TIMEOUT_MS)
    _shot(page, "ops-live.png")
    (ARTIFACTS / "live.json").write_text(json.dumps(figures, indent=2))
