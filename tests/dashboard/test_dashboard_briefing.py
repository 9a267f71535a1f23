"""GET /api/dashboard/briefing/: one self-contained file for a unit and period — every KPI the
caller may read with status, grouped by sector; the attention list; the chosen KPI's chart; a
folium map of it over the unit's children with Leaflet inlined — with no URL to anything
outside the file, data text escaped, a file name without diacritics; a PDF of the same with a
static map; only for staff who may export."""
import html as html_lib
import re

import pytest
from django.contrib.staticfiles import finders

from dashboard.briefing import pdf_available
from dashboard.classes import quantile_classes
from dashboard.numbers import ascii_slug, number_text

pytestmark = pytest.mark.django_db
URL = "/api/dashboard/briefing/"
MARKUP = "<img src=x onerror=\"document.body.dataset.pwned='1'\">"


def leaflet_js() -> str:
    with open(finders.find("leaflet/leaflet.js"), encoding="utf-8") as handle:
        return handle.read()


def map_document(page: str) -> str:
    """The folium map the briefing carries in its iframe's srcdoc, unescaped."""
    found = re.search(r'<iframe class="map-frame" id="map" title="[^"]*" srcdoc="([^"]*)"', page)
    assert found, "no map iframe"
    return html_lib.unescape(found.group(1))


def get(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content[:300]
    return response


def test_a_leader_downloads_a_self_contained_briefing(seeded, api_as):
    response = get(api_as("province_leader"), generation="pre2025", kpi="tourist-arrivals")
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert re.match(r'attachment; filename="bao-cao-nhanh-tinh-thanh-hoa-\d{8}\.html"; '
                    r"filename\*=UTF-8''bao-cao-nhanh-tinh-thanh-hoa-\d{8}\.html$",
                    response["Content-Disposition"])
    assert response["Cache-Control"] == "private, no-store"
    page = response.content.decode()
    folium_map = map_document(page)
    leaflet = leaflet_js()
    assert leaflet in folium_map
    outside = page[:page.index("<iframe")] + page[page.index("</iframe>"):]
    for text in (outside, folium_map.replace(leaflet, "")):
        assert not re.search(r"(https?:)?//[a-z0-9]", text, re.I), re.findall(r".{30}//.{30}",
                                                                              text)
        assert "<script src" not in text and "<link" not in text
    # Title, status counts, every sector's table, the chart, the map and its ranking.
    assert "<h1 id=\"briefing-title\">Báo cáo nhanh: Tỉnh Thanh Hóa</h1>" in page
    assert "Lập lúc" in page and "giờ Việt Nam" in page
    for label in ("Kinh tế - xã hội", "An ninh trật tự", "Du lịch", "Tương tác người dân"):
        assert f"<h3>{label}</h3>" in page
    rows = re.findall(r'<tr data-kpi="([a-z0-9-]+)">', page)
    assert len(rows) == 40 and "tourist-arrivals" in rows
    assert re.search(r'class="status status-(green|amber|red)"', page)
    assert '<svg class="chart"' in page and 'class="value"' in page and 'class="target"' in page
    assert page.count('<svg class="spark"') == 40
    assert "Lượt khách du lịch, kỳ " in page and "Xếp hạng huyện" in page
    assert len(re.findall(r"<tr><td class=\"num\">\d+</td>", page)) == 26  # the districts
    assert folium_map.count('"type": "Feature"') >= 26 and "L.geoJson" in folium_map
    assert "data:image/png;base64," in folium_map and "images/layers.png" not in folium_map


def test_the_attention_list_and_forecast_of_the_insights(seeded, api_as):
    page = get(api_as("province_leader"), kpi="tourism-revenue").content.decode()
    section = page[page.index('<section id="attention"'):page.index("</section>")]
    assert "<ol class=\"attention\">" in section, section[:500]
    assert "Tổng thu từ du lịch" in section and "kỳ liên tiếp không đạt" in section
    chart = page[page.index('<section id="chart-section"'):]
    assert "Đường đứt tím: dự báo" in chart and 'class="band"' in chart
    assert re.search(r'<strong id="mape">s?MAPE \d+(,\d+)? %</strong>', chart)


def test_a_commune_is_drawn_by_itself_and_sector_filtered(seeded, api_as):
    page = get(api_as("planner"), unit="16531", sector="CITIZEN").content.decode()
    rows = re.findall(r'<tr data-kpi="([a-z0-9-]+)">', page)
    assert rows and all(code.startswith(("citizen", "incidents")) for code in rows)
    assert "Tương tác người dân" in page and "<h3>Du lịch</h3>" not in page
    assert map_document(page).count('"type": "Feature"') == 1
    assert 'id="ranking"' not in page


def test_data_text_is_escaped(seeded, api_as):
    from kpi.models import Kpi

    Kpi.objects.filter(code="tourist-arrivals").update(name_vi=MARKUP)
    page = get(api_as("province_leader"), kpi="tourist-arrivals").content.decode()
    assert "<img src=x" not in page
    assert html_lib.escape(MARKUP) in page
    assert "<img src=x" not in map_document(page).replace("\\u003c", "<").split("<script>")[0]


def test_english_briefing(seeded, api_as):
    client = api_as("administrator")
    page = client.get(URL, {"kpi": "tourist-arrivals"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in page and "Briefing: " in page
    assert "<h3>Tourism</h3>" in page and "Tourist arrivals" in page
    assert "Indicators by sector" in page


@pytest.mark.parametrize("role", ["sector_operator", "unit_official", "wall_display"])
def test_staff_who_may_not_export_are_refused(seeded, api_as, role):
    response = api_as(role).get(URL)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "briefing_forbidden"


@pytest.mark.parametrize("query, status", [
    ({"format": "docx"}, 400), ({"period": "2025-13"}, 400), ({"generation": "x"}, 400),
    ({"kpi": "no-such-kpi"}, 404), ({"unit": "99999"}, 404), ({"sector": "SPORT"}, 400)])
def test_bad_input_is_a_clear_error(seeded, api_as, query, status):
    response = api_as("province_leader").get(URL, query)
    assert response.status_code == status
    assert response.json()["error"]["status"] == status


@pytest.mark.skipif(not pdf_available(), reason="WeasyPrint is not installed")
def test_a_pdf_with_a_static_map(seeded, api_as, staff):
    from weasyprint import HTML

    from access.principal import principal_for_user
    from dashboard.briefing import PDF, briefing_html

    response = get(api_as("province_leader"), generation="pre2025", kpi="tourist-arrivals",
                   format="pdf")
    assert response["Content-Type"] == "application/pdf"
    assert re.match(r'attachment; filename="bao-cao-nhanh-tinh-thanh-hoa-\d{8}\.pdf"',
                    response["Content-Disposition"])
    assert response.content.startswith(b"%PDF-") and len(response.content) > 20_000
    # What the PDF is made of: the same briefing with the map as an SVG of the 26 districts.
    page, _ = briefing_html(principal=principal_for_user(staff("province_leader")),
                            unit_code=None, generation="pre2025", as_of=None,
                            kpi_code="tourist-arrivals", sector=None, file_format=PDF)
    assert "<iframe" not in page and "<script" not in page
    svg = page[page.index('<svg class="map"'):]
    assert svg[:svg.index("</svg>")].count("<path") == 27  # 26 districts and the outline
    document = HTML(string=page).render()
    assert len(document.pages) >= 2


def test_number_text_slug_and_classes():
    assert number_text(1234567.891, 1) == "1.234.567,9"
    assert number_text(1234567.891, 1, "en") == "1,234,567.9"
    assert number_text(None) == "–"
    assert ascii_slug("Thành phố Sầm Sơn") == "thanh-pho-sam-son"
    assert ascii_slug("Đông Sơn") == "dong-son" and ascii_slug("!!!") == "don-vi"
    classes = quantile_classes([5, 1, 2, 3, 4, None, 10, 7, 8, 9, 6])
    assert classes.bounds == [3, 5, 7, 9, 10] and classes.low == 1
    assert [classes.colour(v) for v in (1, 3, 4, 10, None)] == [
        "#f1eef6", "#f1eef6", "#bdc9e1", "#045a8d", "#d9d9d9"]
    assert quantile_classes([2, 2, 2]).bounds == [2]
    assert quantile_classes([None]).bounds == []
