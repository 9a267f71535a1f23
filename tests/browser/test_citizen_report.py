"""The citizens' report form (/phan-anh/) and tracking page in Debian's headless Chromium, at a
phone's size (390 × 844, touch): a report goes from a tap on our map to the database, routed
to the commune under the pin, with an EXIF-stripped photo; it is tracked, resolved and rated;
duplicates near the pin are offered first; a point outside Thanh Hóa gets the API's error.
Nothing is fetched from another origin and nothing is logged as an error.

The live server sees committed rows only, while a test runs inside its own transaction: what a
test writes for the server to see (an existing report, the staff's handling) is written from a
thread of its own, in autocommit, and every incident made during a test is deleted afterwards."""
import re
import threading
from pathlib import Path

import pytest
from PIL import Image

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
SAM_SON = (105.9, 19.74)
OUTSIDE = (105.0, 21.0)  # Hòa Bình side: inside the map's reach, outside the province
MAP_IDLE = ("() => window.iocMap && window.iocMap.loaded() && !window.iocMap.isMoving()"
            " && document.getElementById('map').dataset.iocState === 'idle'")
CONTACT = {"name": "Lê Thị Bình", "phone": "0987 654 321", "email": "binh.le@example.vn"}
GPS_IFD = 0x8825


class Watch:
    """Every request that left for another origin (aborted), console error and page error."""

    def __init__(self, page, origin: str):
        self.foreign, self.console_errors, self.page_errors = [], [], []
        own = (origin + "/", "data:", "blob:" + origin + "/")

        def route(route):
            if route.request.url.startswith(own):
                route.continue_()
            else:
                self.foreign.append(route.request.url)
                route.abort()

        page.route("**/*", route)
        page.on("request", lambda request: None if request.url.startswith(own)
                else self.foreign.append(request.url))
        page.on("console", lambda message: message.type == "error"
                and self.console_errors.append(message.text))
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def assert_clean(self, allowed_console: str | None = None) -> None:
        assert sorted(set(self.foreign)) == []
        errors = [m for m in self.console_errors
                  if not (allowed_console and re.search(allowed_console, m))]
        assert errors == [] and self.page_errors == []


@pytest.fixture
def phone(page, browser, live_url):
    """The conftest's page at a phone's size with touch, watched for foreign requests."""
    page.set_viewport_size(PHONE)
    cdp = browser.new_cdp_session(page)
    cdp.send("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
    page.cdp = cdp
    page.watch = Watch(page, live_url)
    page.set_default_timeout(20_000)
    yield page
    browser.clear_permissions()


def committed(function, *args, **kwargs):
    """function(*args, **kwargs) run and committed on a connection of its own (a thread's)."""
    outcome = {}

    def run() -> None:
        from django.db import connection

        try:
            outcome["value"] = function(*args, **kwargs)
        except BaseException as error:  # handed to the caller below
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


@pytest.fixture
def cleanup():
    """Incidents made during the test (by the live server or `committed`), with their map
    features and photo files, are deleted afterwards."""
    from incidents.models import Incident

    last = Incident.objects.order_by("-id").values_list("id", flat=True).first() or 0
    yield
    committed(_delete_incidents_after, last)


def _delete_incidents_after(last_id: int) -> None:
    from incidents.models import Incident, IncidentPhoto
    from layers.models import Feature

    made = Incident.objects.filter(id__gt=last_id)
    ids = list(made.values_list("public_id", flat=True))
    for photo in IncidentPhoto.objects.filter(incident__in=made):
        photo.image.delete(save=False)
    made.filter(duplicate_of__isnull=False).delete()
    made.delete()
    Feature.objects.filter(layer__slug="incidents", external_id__in=ids).delete()


@pytest.fixture
def staff(superuser):
    """The principal of the session's superuser, for moving incidents through the services."""
    from django.contrib.auth import get_user_model

    from access.principal import principal_for_user

    return principal_for_user(get_user_model().objects.get(username=superuser[0]))


def commune_at(lon: float, lat: float) -> str | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""SELECT code FROM layers_adminunit WHERE level = 'COMMUNE'
                          AND valid_to IS NULL AND ST_Intersects(geom, ST_Point(%s, %s, 4326))
                          ORDER BY code LIMIT 1""", [lon, lat])
        row = cursor.fetchone()
    return row[0] if row else None


def photo_with_exif(path: Path) -> Path:
    """A phone-like JPEG carrying its maker and a GPS position in EXIF."""
    image = Image.new("RGB", (1200, 900), (90, 120, 160))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD)[2] = (19.0, 44.0, 24.0)
    image.save(path, format="JPEG", exif=exif)
    assert Image.open(path).getexif().get_ifd(GPS_IFD)
    return path


def open_form(page, live_url: str) -> None:
    page.goto(f"{live_url}/phan-anh/")
    page.wait_for_function(MAP_IDLE, timeout=30_000)


def tap_map_at(page, lon: float, lat: float) -> tuple[float, float]:
    """Centre the map on a point (~9 m a pixel) and tap it with a finger; the pin's position."""
    page.evaluate("([lon, lat]) => window.iocMap.jumpTo({center: [lon, lat], zoom: 14})",
                  [lon, lat])
    page.wait_for_function(MAP_IDLE, timeout=30_000)
    page.locator("#map").scroll_into_view_if_needed()
    box = page.locator("#map").bounding_box()
    x, y = page.evaluate("([lon, lat]) => { const p = window.iocMap.project([lon, lat]);"
                         " return [p.x, p.y]; }", [lon, lat])
    point = {"x": box["x"] + x, "y": box["y"] + y}
    page.cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [point]})
    page.cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_function("() => document.getElementById('lat').value !== ''")
    return float(page.input_value("#lon")), float(page.input_value("#lat"))


def fill_report(page, category: str, text: str) -> None:
    page.select_option("#category", category)
    page.fill("#description", text)


def test_a_citizen_reports_from_a_phone_tracks_and_rates(phone, live_url, cleanup, staff, tmp_path):
    from incidents.models import Incident
    from incidents.services import incident_transition

    page = phone
    open_form(page, live_url)
    assert page.locator("h1").inner_text() == "Gửi phản ánh"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    groups = page.eval_on_selector_all("#category optgroup", "els => els.map(e => e.label)")
    assert {"Giao thông", "An ninh trật tự", "Y tế"} <= set(groups)

    fill_report(page, "hu-hong-mat-duong", "Ổ gà lớn giữa đường Trần Hưng Đạo\nXe máy dễ ngã.")
    lon, lat = tap_map_at(page, *SAM_SON)
    assert abs(lon - SAM_SON[0]) < 0.0002 and abs(lat - SAM_SON[1]) < 0.0002
    page.wait_for_function("() => /Sầm Sơn/.test(document.getElementById('location-status')"
                           ".textContent)")
    page.set_input_files("#photos", str(photo_with_exif(tmp_path / "o-ga.jpg")))
    assert page.locator("#photo-list img").count() == 1
    page.fill("#reporter_name", CONTACT["name"])
    page.fill("#reporter_phone", CONTACT["phone"])
    page.fill("#reporter_email", CONTACT["email"])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "citizen-report-form.png"), full_page=True)

    page.click("#submit-report")
    page.locator("#report-done").wait_for(state="visible")
    public_id = page.inner_text("#done-id")
    assert re.fullmatch(r"PA-[0-9A-Z]{8}", public_id)
    assert "1 ảnh" in page.inner_text("#done-photos")
    assert page.locator("#report-form").is_hidden()
    page.screenshot(path=str(SCREENSHOTS / "citizen-report-sent.png"), full_page=True)

    incident = Incident.objects.get(public_id=public_id)
    assert incident.category.code == "hu-hong-mat-duong" and incident.channel == "citizen_web"
    assert incident.commune_code == commune_at(lon, lat) is not None
    assert incident.title == "Ổ gà lớn giữa đường Trần Hưng Đạo"
    assert (incident.reporter_name, incident.reporter_phone, incident.reporter_email) == (
        CONTACT["name"], CONTACT["phone"], CONTACT["email"])
    photo = incident.photos.get()
    with photo.image.open("rb") as stored:
        data = stored.read()
    assert b"Exif" not in data and b"PhoneMaker" not in data

    # The tracking page: status, public history, the place on our map, no personal data.
    page.click("#done-link")
    page.wait_for_url(f"**/phan-anh/{public_id}/")
    page.wait_for_function(MAP_IDLE, timeout=30_000)
    assert page.inner_text("#status") == "Mới tiếp nhận"
    centre = page.evaluate("() => window.iocMap.getCenter().toArray()")
    assert centre == pytest.approx([lon, lat], abs=1e-6)
    page.locator("#history li strong", has_text="Đã tiếp nhận phản ánh").wait_for()
    assert page.locator("#rating").is_hidden()
    _assert_no_personal_data(page)

    # Handled (one internal note, one public one) and resolved through the services.
    for to, note, public in (("verified", "Ghi chú nội bộ: gọi lại người báo", False),
                             ("assigned", "", True), ("in_progress", "", True),
                             ("resolved", "Đã vá ổ gà, thông xe", True)):
        committed(incident_transition, principal=staff, public_id=public_id, to_status=to,
                  note=note, is_public=public)
    reply = committed(_public_reply, staff, public_id)
    page.reload()
    page.locator("#history li", has_text="Đã vá ổ gà, thông xe").wait_for()
    assert page.inner_text("#status") == "Đã xử lý xong"
    assert "Ghi chú nội bộ" not in page.inner_text("main")
    if reply:
        page.locator("#replies li", has_text=reply).wait_for()
    _assert_no_personal_data(page)

    page.locator("#rating").wait_for(state="visible")
    page.click("label[for=rating-4]")
    page.click("#rating-form button[type=submit]")
    page.locator("#rating-done", has_text="4/5").wait_for()
    assert page.locator("#rating-form").count() == 0
    assert Incident.objects.get(public_id=public_id).rating == 4
    page.screenshot(path=str(SCREENSHOTS / "citizen-track-rated.png"), full_page=True)
    page.watch.assert_clean()


def _public_reply(staff, public_id: str) -> str | None:
    """A public reply through the comments service, where the incidents app has one."""
    from incidents import services

    if not hasattr(services, "incident_comment_add"):
        return None
    text = "UBND phường đã cử người vá ổ gà."
    services.incident_comment_add(principal=staff, public_id=public_id, text=text,
                                  is_public=True)
    return text


def _assert_no_personal_data(page) -> None:
    html = page.content()
    for value in (*CONTACT.values(), "0987654321"):
        assert value not in html


def test_a_duplicate_near_the_pin_is_offered_before_sending(phone, live_url, cleanup):
    from access.principal import ANONYMOUS
    from incidents.models import Incident
    from incidents.services import ReportInput, incident_submit

    existing = committed(incident_submit, principal=ANONYMOUS, report=ReportInput(
        category="ngap-ung", lon=SAM_SON[0], lat=SAM_SON[1], title="Ngập sâu sau mưa",
        description="Nước ngập quá đầu gối"))
    page = phone
    open_form(page, live_url)
    fill_report(page, "ngap-ung", "Đường ngập nặng, xe chết máy")
    tap_map_at(page, SAM_SON[0] + 0.0001, SAM_SON[1])  # ~10 m away
    page.click("#submit-report")

    offer = page.locator("#duplicates")
    offer.wait_for(state="visible")
    assert offer.locator("h2").inner_text() == "Có phải bạn muốn báo cùng sự việc này?"
    item = offer.locator("#duplicate-list li")
    assert item.count() == 1 and existing.public_id in item.inner_text()
    assert "Ngập sâu sau mưa" in item.inner_text()
    assert not Incident.objects.filter(description="Đường ngập nặng, xe chết máy").exists()

    # "No, it is another one": the report goes after all.
    page.click("#send-anyway")
    page.locator("#report-done").wait_for(state="visible")
    assert Incident.objects.filter(description="Đường ngập nặng, xe chết máy").count() == 1

    # Or follow the existing report instead of sending.
    open_form(page, live_url)
    fill_report(page, "ngap-ung", "Vẫn còn ngập")
    tap_map_at(page, *SAM_SON)
    page.click("#submit-report")
    page.locator("#duplicates").wait_for(state="visible")
    page.locator("#duplicate-list li", has_text=existing.public_id).locator("a").click()
    page.wait_for_url(f"**/phan-anh/{existing.public_id}/")
    assert page.inner_text("h1").endswith(existing.public_id)
    assert not Incident.objects.filter(description="Vẫn còn ngập").exists()
    page.watch.assert_clean()


def test_a_point_outside_the_province_gets_the_api_error(phone, live_url, cleanup):
    from incidents.models import Incident

    page = phone
    open_form(page, live_url)
    fill_report(page, "khac", "Cây đổ chắn đường")
    lon, lat = tap_map_at(page, *OUTSIDE)
    assert commune_at(lon, lat) is None
    page.locator("#location-status", has_text="ngoài địa bàn tỉnh Thanh Hóa").wait_for()
    page.click("#submit-report")
    alert = page.locator("#form-errors")
    alert.wait_for(state="visible")
    message = "Vị trí nằm ngoài địa bàn tỉnh Thanh Hóa; hãy chọn lại điểm trên bản đồ."
    assert message in alert.inner_text()
    assert page.inner_text("#location-error") == message
    assert page.locator("#report-done").is_hidden()
    assert not Incident.objects.filter(description="Cây đổ chắn đường").exists()
    # The browser logs the API's 400 itself; nothing else may be logged.
    page.watch.assert_clean(allowed_console=r"status of 400")


def test_missing_fields_are_named_before_anything_is_sent(phone, live_url, cleanup):
    page = phone
    open_form(page, live_url)
    page.click("#submit-report")
    alert = page.locator("#form-errors")
    alert.wait_for(state="visible")
    text = alert.inner_text()
    assert "Hãy chọn loại sự việc." in text and "Hãy mô tả sự việc." in text
    assert "đặt ghim" in text
    assert page.get_attribute("#category", "aria-invalid") == "true"
    assert page.evaluate("() => document.activeElement.id") == "form-errors"
    page.watch.assert_clean()


def test_the_phones_location_places_the_pin_and_a_refusal_is_explained(phone, browser,
                                                                        live_url, cleanup):
    page = phone
    open_form(page, live_url)
    page.click("#use-my-location")  # no permission granted: the browser refuses
    page.locator("#location-status", has_text="chưa được phép dùng vị trí").wait_for()
    assert page.input_value("#lat") == ""

    browser.grant_permissions(["geolocation"], origin=live_url)
    browser.set_geolocation({"latitude": SAM_SON[1], "longitude": SAM_SON[0], "accuracy": 10})
    page.click("#use-my-location")
    page.wait_for_function("() => document.getElementById('lat').value !== ''")
    assert (float(page.input_value("#lon")), float(page.input_value("#lat"))) == SAM_SON
    page.locator("#location-status", has_text="Sầm Sơn").wait_for()
    page.wait_for_function(MAP_IDLE, timeout=30_000)
    assert page.evaluate("() => window.iocMap.getZoom()") >= 15
    page.watch.assert_clean()


def test_without_the_map_the_form_still_sends_with_typed_coordinates(phone, live_url, cleanup):
    """MapLibre missing (a failed download; WebGL unavailable takes the same path): the page
    says so, opens the coordinate fields, and the report still goes."""
    from incidents.models import Incident

    page = phone
    page.route("**/maplibre-gl-csp.js", lambda route: route.abort())
    page.goto(f"{live_url}/phan-anh/")
    page.locator("#map.map-failed", has_text="Không hiển thị được bản đồ").wait_for()
    assert page.locator("#pin-at-centre").is_hidden()
    assert page.locator("details.coordinates").get_attribute("open") is not None
    fill_report(page, "rac-thai-moi-truong", "Bãi rác tự phát ven đường")
    page.fill("#lat", str(SAM_SON[1]))
    page.fill("#lon", str(SAM_SON[0]))
    page.locator("#lon").dispatch_event("change")
    page.locator("#location-status", has_text="Sầm Sơn").wait_for()
    page.click("#submit-report")
    page.locator("#report-done").wait_for(state="visible")
    incident = Incident.objects.get(public_id=page.inner_text("#done-id"))
    assert (incident.location.x, incident.location.y) == SAM_SON
    page.watch.assert_clean(allowed_console=r"maplibre-gl-csp\.js|ERR_FAILED")


XSS = '<img src=x onerror="window.__xss=1">'
XSS_SCRIPT = "<script>window.__xss=2</script>"


def _report_with_markup(staff) -> str:
    from access.principal import ANONYMOUS
    from incidents import services

    incident = services.incident_submit(principal=ANONYMOUS, report=services.ReportInput(
        category="hu-hong-mat-duong", lon=SAM_SON[0], lat=SAM_SON[1], title=XSS,
        description=f"Mô tả {XSS_SCRIPT} hết", address=XSS))
    services.incident_comment_add(principal=staff, public_id=incident.public_id,
                                  text=f"Trả lời {XSS}", is_public=True)
    return incident.public_id


def test_markup_in_a_report_stays_text_on_the_tracking_page(phone, live_url, cleanup, staff):
    """A report titled `<img src=x onerror=…>` (and a reply, an address, a description with a
    script) is shown as those characters: nothing is fetched, run or turned into elements."""
    page = phone
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    public_id = committed(_report_with_markup, staff)
    page.goto(f"{live_url}/phan-anh/{public_id}/")
    page.wait_for_load_state("networkidle")
    text = page.inner_text("body")
    assert XSS in text and XSS_SCRIPT in text and f"Trả lời {XSS}" in text
    assert page.evaluate("() => window.__xss === undefined")
    assert page.locator("img[src='x']").count() == 0 and dialogs == []
    assert not any(url.endswith("/x") for url in page.watch.foreign)
    page.screenshot(path=str(SCREENSHOTS / "tracking-markup-stays-text.png"), full_page=True)
    page.watch.assert_clean()
