"""The drill-down's "Dữ liệu raster" section in Debian's headless Chromium: the demo's synthetic
flood and population rasters give each unit a measure ("Dân số trong vùng ngập: … người") equal
to the stored figure, in both generations; a raster toggled on draws our PNG tiles on the map
(all from our origin), the choice is kept in the URL; English through the switch.
Screenshots go to var/test-artifacts/drill/."""
import shutil
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import override_settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "drill"
MAP_IDLE = ("() => window.iocMap && window.iocMap.loaded() && !window.iocMap.isMoving()"
            " && document.getElementById('map').dataset.iocState === 'idle'"
            " && document.getElementById('map').dataset.drillState === 'ready'")
TIMEOUT = 60_000
MEASURE = "dan-so-vung-ngap"
FLOOD = "ngap-lut-mo-phong"


@pytest.fixture(scope="module")
def demo_rasters(django_db_blocker):
    """The demo rasters, committed (the live server reads them), in a directory of their own;
    removed afterwards."""
    from demo.rasters import demo_rasters_load

    directory = tempfile.mkdtemp(prefix="ioc-raster-drill-")
    override = override_settings(IOC_RASTER_DIR=directory)
    override.enable()
    with django_db_blocker.unblock():
        demo_rasters_load()
    yield
    with django_db_blocker.unblock():
        from rasters.models import RasterLayer
        from rasters.services import raster_delete

        for raster in RasterLayer.objects.all():
            raster_delete(raster=raster)
    override.disable()
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def leader_cookie(django_db_blocker, demo_rasters):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from tests.live.sockets import session_cookie

    with django_db_blocker.unblock():
        user = get_user_model().objects.create_user("lanh-dao-raster", password="x")
        user.groups.add(Group.objects.get(name="province_leader"))
        cookie = session_cookie(user)
    yield cookie
    with django_db_blocker.unblock():
        user.delete()


@pytest.fixture
def raster_page(live_url, browser, page, leader_cookie):
    name, value = leader_cookie.split("=", 1)
    browser.add_cookies([{"name": name, "value": value, "url": live_url}])
    page.errors, page.tiles = [], []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: page.tiles.append((r.url, r.status))
            if "/tiles/raster/" in r.url else None)
    return page


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function(MAP_IDLE, timeout=TIMEOUT)
    page.wait_for_function("() => window.iocDrill.rasters !== null", timeout=TIMEOUT)


def _stored(code: str, generation: str) -> float:
    from rasters.models import MeasureValue

    return MeasureValue.objects.get(measure__slug=MEASURE, unit__code=code,
                                    generation=generation).value


def _measure_text(page) -> str:
    return page.inner_text(f"#raster-figures li.measure[data-slug='{MEASURE}']")


def _formatted(page, value: float) -> str:
    return page.evaluate("(v) => new Intl.NumberFormat('vi-VN').format(v)", round(value))


def test_the_section_shows_each_units_measure_and_the_overlay_draws(live_url, raster_page):
    page = raster_page
    _open(page, f"{live_url}/drill/")
    assert page.is_visible("#rasters")
    assert page.inner_text("#rasters-title") == "Dữ liệu raster"
    text = _measure_text(page)
    assert text == (f"Dân số trong vùng ngập (mô phỏng): "
                    f"{_formatted(page, _stored('38', 'current'))} người")
    assert "Nguy cơ ngập lụt (mô phỏng): trung bình" in page.inner_text("#raster-figures")

    # The overlay: a MapLibre raster source of our PNG tiles.
    page.check(f"#raster-overlays li[data-slug='{FLOOD}'] input")
    page.wait_for_function(f"() => window.iocMap.getLayer('raster-overlay-{FLOOD}')",
                           timeout=TIMEOUT)
    page.wait_for_function("() => window.iocMap.loaded() && "
                           f"window.iocMap.isSourceLoaded('raster-overlay-{FLOOD}')",
                           timeout=TIMEOUT)
    drawn = [(u, s) for u, s in page.tiles if f"/tiles/raster/{FLOOD}/" in u]
    assert drawn and all(u.startswith(live_url) for u, _ in drawn)
    assert any(status == 200 for _, status in drawn)
    assert all(status in (200, 204, 304) for _, status in drawn)
    assert parse_qs(urlparse(page.url).query)["rasters"] == [FLOOD]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "rasters.png"))

    # Drill into the commune with the most people in the zone: its own figure.
    from rasters.models import MeasureValue

    top = (MeasureValue.objects.filter(measure__slug=MEASURE, generation="current",
                                       unit__level="COMMUNE", value__isnull=False)
           .order_by("-value").select_related("unit").first())
    page.goto(f"{live_url}/drill/?unit={top.unit.code}&rasters={FLOOD}")
    page.wait_for_function(MAP_IDLE, timeout=TIMEOUT)
    page.wait_for_function(f"() => window.iocDrill.rasters && "
                           f"window.iocDrill.rasters.unit.code === '{top.unit.code}'",
                           timeout=TIMEOUT)
    assert _formatted(page, top.value) in _measure_text(page)
    assert page.is_checked(f"#raster-overlays li[data-slug='{FLOOD}'] input")  # from the URL
    page.uncheck(f"#raster-overlays li[data-slug='{FLOOD}'] input")
    page.wait_for_function(f"() => !window.iocMap.getLayer('raster-overlay-{FLOOD}')",
                           timeout=TIMEOUT)
    assert "rasters" not in parse_qs(urlparse(page.url).query)
    foreign = [u for u in page.seen_urls if not u.startswith((live_url, "data:", "blob:"))]
    assert foreign == [] and page.errors == []


def test_the_pre_reform_generation_has_its_own_figures(live_url, raster_page):
    from layers.models import AdminLevel, AdminUnit
    from rasters.models import MeasureValue

    page = raster_page
    district = (MeasureValue.objects.filter(measure__slug=MEASURE, generation="pre2025",
                                            unit__level=AdminLevel.DISTRICT, value__gt=0)
                .order_by("unit__code").select_related("unit").first().unit)
    assert not AdminUnit.objects.filter(code=district.code, valid_to__isnull=True).exists()
    _open(page, f"{live_url}/drill/?unit={district.code}&generation=pre2025")
    page.wait_for_function(f"() => window.iocDrill.rasters.unit.code === '{district.code}'",
                           timeout=TIMEOUT)
    assert page.evaluate("() => window.iocDrill.rasters.generation") == "pre2025"
    assert _formatted(page, _stored(district.code, "pre2025")) in _measure_text(page)
    page.screenshot(path=str(ARTIFACTS / "rasters-pre2025.png"))
    assert page.errors == []


def test_english(live_url, raster_page):
    page = raster_page
    _open(page, f"{live_url}/drill/")
    page.click(".language button[value=en]")
    page.wait_for_function(MAP_IDLE, timeout=TIMEOUT)
    page.wait_for_function("() => window.iocDrill.rasters !== null", timeout=TIMEOUT)
    assert page.inner_text("#rasters-title") == "Raster data"
    assert _measure_text(page).startswith("People in the flood-hazard zone (synthetic): ")
    assert _measure_text(page).endswith(" people")
    assert "Show on the map" in page.inner_text("#raster-overlays")
    page.click(".language button[value=vi]")
