"""The data page (/data/) in Debian's headless Chromium under our CSP, as a health department
officer: a GeoJSON uploaded through the page is imported off the request path by the local
worker (`manage.py integration_worker`, as without a broker), the run's progress ends with the
right counts and a report naming the rejected row, and the new feature is served by /ogc/; a
stale source shows its badge and its alert, which the officer acknowledges; a source named with
markup stays text; nothing is fetched from another origin."""
import csv
import io
import json
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

# The tests themselves only read: what the live server must see is committed by the fixtures
# (a check run inside a test's transaction would also hold locks on the alerts the server's
# requests update).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts" / "data"
MARKUP = "<img src=x onerror=alert(1)>"
SLUG = "trang-du-lieu-tram"
READY = "#source-table[data-state=ready]"
ALERTS_READY = "#alert-list[data-state=ready]"
UPLOAD = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [105.776, 19.807]},
     "properties": {"ma": "DP-1", "ten": "Trạm Điện Biên"}},
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [105.9, 19.74]},
     "properties": {"ma": "DP-2", "ten": "Trạm Sầm Sơn"}},
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [105.85, 19.78]},
     "properties": {"ma": "DP-3", "ten": None}},  # no name, which the layer requires
]}
FEED = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [105.8 + i / 100, 19.8]},
     "properties": {"ma": f"FEED-{i}", "ten": f"Trạm nguồn cấp {i}"}} for i in range(2)]}


@pytest.fixture(scope="module")
def feed():
    """A department's GeoJSON feed on a local HTTP server: what a pull connector points at."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    body = json.dumps(FEED, ensure_ascii=False).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            self.send_response(200)
            self.send_header("Content-Type", "application/geo+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/tram.geojson"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def data_world(django_db_setup, django_db_blocker, feed):
    """Committed (the live server sees committed data only): a non-public HEALTH layer, a file
    connector onto it, a pull connector reading `feed` hourly, a stale connector (its last success three days ago against a daily
    interval), a stale one named with markup, a health officer bound to the whole province;
    then a sources check. All removed at the end."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from access.models import Jurisdiction
    from alerts.models import Alert
    from integration.models import Connector, ConnectorKind, ImportRun, RunStatus
    from layers.models import AdminLevel, AdminUnit, Feature, GeometryKind, Sector
    from sources.services import sources_check
    from tests.factories import make_layer

    with django_db_blocker.unblock():
        layer = make_layer(slug=SLUG, title_vi="Trạm y tế (trang dữ liệu)",
                           title_en="Health stations (data page)", sector=Sector.HEALTH,
                           is_public=False, geometry_kind=GeometryKind.POINT,
                           owner_department="Sở Y tế")
        common = {"layer": layer, "owner_department": "Sở Y tế", "id_column": "ma",
                  "field_mapping": {"name": {"source": "ten"}}, "update_interval": timedelta(1)}
        upload = Connector.objects.create(name="Trạm y tế – tệp của Sở", **common)
        stale = Connector.objects.create(name="Trạm y tế – nguồn chậm", **common)
        markup = Connector.objects.create(name=MARKUP, **common)
        pull = Connector.objects.create(name="Trạm y tế – nguồn cấp của Sở", url=feed,
                                        kind=ConnectorKind.HTTP_GEOJSON,
                                        pull_interval=timedelta(hours=1), **common)
        finished = timezone.now() - timedelta(days=3, hours=2)
        for connector in (stale, markup):
            ImportRun.objects.create(
                connector=connector, status=RunStatus.SUCCEEDED, file_name="cu.csv",
                file_size=10, driver="CSV", stored_path="cu/data.csv", rows_read=4,
                rows_inserted=4, started_at=finished - timedelta(minutes=1),
                finished_at=finished)
        user = get_user_model().objects.create_user(
            "can-bo-so-y-te", password="x", first_name="Lan", last_name="Nguyễn Thị")
        user.groups.add(Group.objects.get(name="sector_operator"))
        jurisdiction = Jurisdiction.objects.create(user=user, sectors=[Sector.HEALTH])
        jurisdiction.units.set(AdminUnit.objects.filter(level=AdminLevel.PROVINCE,
                                                        valid_to__isnull=True))
        sources_check()
        client = Client()
        client.force_login(user)  # a committed session, unlike one made inside a test
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
    subjects = {name: f"connector:{c.pk}" for name, c in
                [("upload", upload), ("stale", stale), ("markup", markup), ("pull", pull)]}
    yield {"user": user, "session": session, "layer": layer, "finished": finished,
           **subjects}
    with django_db_blocker.unblock():
        Alert.objects.filter(subject__in=subjects.values()).delete()
        Alert.objects.filter(subject=f"layer:{SLUG}").delete()
        Feature.objects.filter(layer=layer).delete()
        ImportRun.objects.filter(connector__layer=layer).delete()
        Connector.objects.filter(layer=layer).delete()
        layer.delete()  # its source statuses go with it
        user.delete()


@pytest.fixture
def officer(page, live_url, data_world):
    """The page with the officer's session cookie; dialogs (an alert() run by markup) are
    recorded and dismissed."""
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_url,
                               "value": data_world["session"]}])
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.errors = []  # script errors and console errors (a CSP refusal is one)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda message: page.errors.append(message.text)
            if message.type == "error" else None)
    return page


def foreign(page, live_url) -> list[str]:
    return [url for url in page.seen_urls if not url.startswith((live_url + "/", "data:"))]


def row(subject: str) -> str:
    return f'#source-rows tr[data-subject="{subject}"]'


def _database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return (f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
            f"/{s['NAME']}")


@pytest.fixture
def local_worker(data_world, django_db_blocker):
    """`manage.py integration_worker --follow` on the test database, as `make demo` runs it
    without a broker: uploads queue their run and return; the worker takes it."""
    from integration.tasks import local_worker_alive

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ioc_gis.settings.test", "REDIS_URL": "",
           "DATABASE_URL": _database_url(), "IOC_IMPORT_DIR": str(settings.IOC_IMPORT_DIR)}
    env.pop("IOC_TEST_DB_NAME", None)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "integration_worker", "--follow", "--interval", "0.2",
         "--no-schedule"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 30
    with django_db_blocker.unblock():
        while not local_worker_alive() and worker.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert local_worker_alive(), "the local worker did not start"
    yield worker
    worker.terminate()
    try:
        output, _ = worker.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
        output, _ = worker.communicate()
    assert "Traceback" not in output, output


def test_an_upload_runs_to_its_report_and_the_feature_reaches_ogc(officer, live_url, data_world,
                                                                  local_worker, tmp_path):
    page = officer
    subject = data_world["upload"]
    page.goto(f"{live_url}/data/?source={subject}")
    page.wait_for_selector(READY)
    source = page.locator(row(subject))
    assert "highlight" in source.get_attribute("class")  # ?source= marks the alert's row
    assert source.get_attribute("data-liveness") == "NEVER"
    assert source.locator(".liveness .badge").inner_text() == "Chưa có dữ liệu"

    source.locator("input[type=file]").set_input_files(files=[{
        "name": "tram-y-te.geojson", "mimeType": "application/geo+json",
        "buffer": json.dumps(UPLOAD, ensure_ascii=False).encode()}])
    run = page.locator(f'#source-rows tr[data-run-for="{subject}"] .run')
    run.locator("xpath=self::*[@data-status='SUCCEEDED' or @data-status='FAILED']").wait_for(
        timeout=30_000)
    assert run.get_attribute("data-status") == "SUCCEEDED", run.inner_text()
    assert run.locator(".run-counts").inner_text() == (
        "Đọc 3 dòng: thêm mới 2, cập nhật 0, không đổi 0, bị loại 1.")
    assert page.evaluate("() => { const p = document.querySelector('.run progress');"
                         " return p.value === p.max; }")
    polls = [url for url in page.seen_urls if "/api/integration/runs/" in url]
    assert polls, "the page never asked for the run's progress"

    with page.expect_download() as download:
        run.locator("a.report-link").click()
    report = list(csv.reader(io.StringIO(
        Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert len(report) == 2  # the header and the one rejected row
    assert report[1][:2] == ["3", "DP-3"] and "name" in report[1][2]

    # The listing was re-checked after the run: the connector is now up to date.
    page.wait_for_selector(f'{row(subject)}[data-liveness="FRESH"]', timeout=20_000)
    assert page.locator(f'#source-rows tr[data-run-for="{subject}"]').count() == 1  # kept
    links = page.locator(row(subject))
    assert links.locator("a.map-link").get_attribute("href") == f"/planner/?layer={SLUG}"
    assert links.locator("a.ogc-link").get_attribute("href") == f"/ogc/collections/{SLUG}"
    items = page.request.get(f"{live_url}/ogc/collections/{SLUG}/items").json()
    served = {feature["id"]: feature["properties"].get("name") for feature in items["features"]
              if feature["id"].startswith("DP-")}
    assert served == {"DP-1": "Trạm Điện Biên", "DP-2": "Trạm Sầm Sơn"}  # DP-3 was rejected
    assert foreign(page, live_url) == [] and page.errors == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "upload.png"), full_page=True)


def test_a_stale_source_shows_its_badge_and_its_alert_is_acknowledged(officer, live_url,
                                                                      data_world):
    from alerts.models import Alert, AlertKind

    page = officer
    subject = data_world["stale"]
    page.goto(f"{live_url}/data/")
    page.wait_for_selector(READY)
    page.wait_for_selector(ALERTS_READY)
    source = page.locator(row(subject))
    assert source.get_attribute("data-liveness") == "STALE"
    assert source.locator(".liveness .badge").inner_text() == "Chậm cập nhật"
    assert source.locator(".interval").inner_text() == "24 giờ"
    finished = timezone.localtime(data_world["finished"])  # shown in Vietnam time
    shown = source.locator(".last-success").inner_text()
    assert "3 ngày trước" in shown
    assert finished.strftime("%H:%M") in shown and finished.strftime("%d/%m/%Y") in shown
    stale_count = page.locator("button.liveness-count[data-liveness=STALE] strong").inner_text()
    assert int(stale_count) >= 2

    alert = page.locator(f'#alert-list li.alert[data-subject="{subject}"]')
    assert alert.locator(".alert-title").inner_text().startswith(
        "Trạm y tế – nguồn chậm: chưa cập nhật ")
    assert "severity-" in alert.get_attribute("class")
    alert.locator("a.alert-link").click()  # to its row, on the same page
    page.wait_for_selector(f"{row(subject)}.highlight")
    assert page.url.endswith(f"/data/?source={subject}")

    alert.locator("button.acknowledge").click()
    acknowledged = alert.locator(".acknowledged")
    acknowledged.wait_for()
    assert acknowledged.inner_text().startswith("Đã xem: Lan Nguyễn Thị, ")
    stored = Alert.objects.get(kind=AlertKind.SOURCE_STALE, subject=subject,
                               resolved_at__isnull=True)
    assert stored.acknowledged_by_id == data_world["user"].pk
    assert timezone.localtime(stored.acknowledged_at).strftime("%H:%M") in (
        acknowledged.inner_text())

    # In English: the same page from the language switch, acknowledgement kept.
    page.click("form.language button[value=en]")
    page.wait_for_selector(READY)
    page.wait_for_selector(ALERTS_READY)
    assert page.locator(f"{row(subject)} .liveness .badge").inner_text() == "Stale"
    assert page.locator(f'#alert-list li[data-subject="{subject}"] .acknowledged').inner_text(
        ).startswith("Seen by Lan Nguyễn Thị, ")
    assert page.locator("h1").inner_text() == "Data sources"
    assert foreign(page, live_url) == [] and page.errors == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "stale-alert.png"), full_page=True)


def test_a_source_named_with_markup_stays_text(officer, live_url, data_world):
    page = officer
    subject = data_world["markup"]
    page.goto(f"{live_url}/data/?source={subject}")
    page.wait_for_selector(READY)
    page.wait_for_selector(ALERTS_READY)
    name = page.locator(f"{row(subject)} th.name").inner_text()
    assert name.startswith(MARKUP)
    title = page.locator(f'#alert-list li[data-subject="{subject}"] .alert-title').inner_text()
    assert title.startswith(MARKUP)
    assert page.locator("img").count() == 0
    assert page.dialogs == [] and page.errors == []
    assert foreign(page, live_url) == []


def test_a_pull_connector_is_pulled_now_and_followed_to_its_end(officer, live_url, data_world,
                                                                local_worker):
    page = officer
    subject = data_world["pull"]
    page.goto(f"{live_url}/data/?source={subject}")
    page.wait_for_selector(READY)
    source = page.locator(row(subject))
    assert source.locator("input[type=file]").count() == 0  # a feed takes no upload
    assert source.locator(".interval").inner_text() == "1 giờ"  # the pull interval
    source.locator("button.pull-button").click()
    run = page.locator(f'#source-rows tr[data-run-for="{subject}"] .run')
    run.locator("xpath=self::*[@data-status='SUCCEEDED' or @data-status='FAILED']").wait_for(
        timeout=30_000)
    assert run.get_attribute("data-status") == "SUCCEEDED", run.inner_text()
    assert run.locator(".run-counts").inner_text() == (
        "Đọc 2 dòng: thêm mới 2, cập nhật 0, không đổi 0, bị loại 0.")
    assert run.locator("a.report-link").count() == 0  # nothing rejected, no report
    page.wait_for_selector(f'{row(subject)}[data-liveness="FRESH"]', timeout=20_000)
    assert foreign(page, live_url) == [] and page.errors == []


def test_a_file_the_api_refuses_shows_its_reason_and_queues_nothing(officer, live_url,
                                                                    data_world):
    from integration.models import ImportRun

    page = officer
    subject = data_world["upload"]
    runs_before = ImportRun.objects.count()
    page.goto(f"{live_url}/data/?source={subject}")
    page.wait_for_selector(READY)
    page.locator(f"{row(subject)} input[type=file]").set_input_files(files=[{
        "name": "tram.geojson", "mimeType": "application/geo+json",
        "buffer": b"\x00\x01 not a spatial file"}])
    error = page.locator(f'#source-rows tr[data-run-for="{subject}"] .run .error')
    error.wait_for()
    assert error.inner_text().startswith("Không gửi được: ")
    assert page.locator(f'#source-rows tr[data-run-for="{subject}"] .run progress').count() == 0
    page.locator(f'#source-rows tr[data-run-for="{subject}"] button.run-close').click()
    assert page.locator(f'#source-rows tr[data-run-for="{subject}"]').count() == 0
    assert not page.locator(f"{row(subject)} button.upload-button").is_disabled()
    assert ImportRun.objects.count() == runs_before
    # The browser logs the refused request (400) as a console error; nothing else may fail.
    assert [e for e in page.errors if "status of 400" not in e] == []
    assert foreign(page, live_url) == []
