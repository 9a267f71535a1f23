"""The citizens' pages through Django's test client: the report form and the tracking page are
public, Vietnamese first with English a switch away, hold no inline script, load nothing from
elsewhere, show no personal data, and 404 for a tracking id that does not exist."""
import json
import re
from gettext import GNUTranslations
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from citizen.labels import SECTORS, STATUSES
from citizen.views import normalize_public_id
from incidents.models import Category, Incident
from incidents.transitions import Status

pytestmark = pytest.mark.django_db

LOCALE = Path(__file__).resolve().parents[2] / "locale"
CONTACT = {"reporter_name": "Nguyễn Thị Hoa", "reporter_phone": "0912 345 678",
           "reporter_email": "hoa.nguyen@example.vn"}
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def _report(api_client, **extra) -> str:
    response = api_client.post("/api/incidents/", {
        "category": "hu-hong-mat-duong", "lon": 105.9, "lat": 19.74, "title": "Ổ gà",
        "description": "Ổ gà sâu trước chợ", **CONTACT, **extra}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def _admin(api_client, django_user_model):
    user = django_user_model.objects.create_user("xu-ly", password="x")
    user.groups.add(Group.objects.get(name="administrator"))
    api_client.force_authenticate(user)
    return api_client


def _move(staff, public_id: str, *steps) -> None:
    for to, note, public in steps:
        body = {"to": to, "public": public, **({"note": note} if note else {})}
        response = staff.post(f"/api/incidents/{public_id}/transition/", body, format="json")
        assert response.status_code == 200, response.content


RESOLVE = [("verified", "Ghi chú nội bộ: số nhà người báo", False), ("assigned", "", True),
           ("in_progress", "", True), ("resolved", "Đã vá xong", True)]


def assert_strict_page(response) -> None:
    """Only our own files, no script the page runs from its own text, a CSP without
    'unsafe-inline' for scripts and with MapLibre's worker from our origin."""
    html = response.content.decode()
    for attributes in SCRIPT_TAG.findall(html):
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith(("/", "#", "data:")), url
    policy = dict(part.strip().split(" ", 1) for part in
                  response.headers["Content-Security-Policy"].split(";") if part.strip())
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["worker-src"] == "'self'"


def test_the_form_is_public_vietnamese_and_strict(client):
    response = client.get("/phan-anh/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html and "<h1>Gửi phản ánh</h1>" in html
    assert "Có phải bạn muốn báo cùng sự việc này?" in html
    assert "không bắt buộc" in html and "Không bao giờ hiển thị công khai" in html
    assert "Tối đa 5 ảnh JPEG, PNG hoặc WebP, mỗi ảnh đến 8 MB." in html
    assert "<noscript>" in html and "Trang này cần JavaScript" in html  # said, when it fails
    # Categories grouped by sector, Vietnamese names with their diacritics.
    groups = re.findall(r'<optgroup label="([^"]+)">', html)
    assert groups[:2] == ["Giao thông", "An ninh trật tự"] and groups[-1] == "Khác"
    assert '<option value="hu-hong-mat-duong">Hư hỏng mặt đường, ổ gà</option>' in html
    assert len(re.findall(r'<option value="[a-z]', html)) == Category.objects.filter(
        is_active=True).count()
    # The map: our style, MapLibre's CSP build and its worker, all our own files.
    assert 'data-style-url="/tiles/style.json?theme=light"' in html
    assert "/static/map/maplibre-gl/maplibre-gl-csp.js" in html
    assert "/static/map/maplibre-gl/maplibre-gl-csp-worker.js" in html
    assert 'data-api-url="/api/incidents/"' in html
    assert 'data-duplicates-url="/api/incidents/duplicates/"' in html
    assert_strict_page(response)
    config = json.loads(re.search(r'<script id="citizen-config" type="application/json">'
                                  r"(.*?)</script>", html, re.S).group(1))
    assert config["max_photos"] == 5 and config["strings"]["statuses"]["new"] == "Mới tiếp nhận"
    assert config["strings"]["api_errors"] == {}  # Vietnamese pages show the API's own words


def test_english_by_the_browsers_language_and_by_the_switch(client):
    english = client.get("/phan-anh/", HTTP_ACCEPT_LANGUAGE="en")
    html = english.content.decode()
    assert '<html lang="en">' in html and "<h1>Send a report</h1>" in html
    assert '<optgroup label="Traffic">' in html and ">Road damage, pothole</option>" in html
    assert "Are you reporting the same problem as this?" in html

    switch = client.post("/phan-anh/ngon-ngu/", {"language": "en", "next": "/phan-anh/"})
    assert switch.status_code == 302 and switch["Location"] == "/phan-anh/"
    html = client.get("/phan-anh/").content.decode()
    assert "<h1>Send a report</h1>" in html and 'value="vi" lang="vi">Tiếng Việt</button>' in html
    strings = json.loads(re.search(r'"citizen-config" type="application/json">(.*?)</script>',
                                   html, re.S).group(1))["strings"]
    assert strings["api_errors"]["outside_province"].startswith("The location is outside")
    assert strings["statuses"]["resolved"] == "Resolved"

    client.post("/phan-anh/ngon-ngu/", {"language": "vi", "next": "/phan-anh/"})
    assert "<h1>Gửi phản ánh</h1>" in client.get("/phan-anh/").content.decode()


def test_the_language_switch_is_csrf_checked():
    client = Client(enforce_csrf_checks=True)
    assert client.post("/phan-anh/ngon-ngu/", {"language": "en"}).status_code == 403
    page = client.get("/phan-anh/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    answer = client.post("/phan-anh/ngon-ngu/", {"language": "en", "next": "/phan-anh/",
                                                 "csrfmiddlewaretoken": token})
    assert answer.status_code == 302


def test_the_tracking_page_shows_the_status_but_no_personal_data(client, api_client,
                                                                 django_user_model):
    public_id = _report(api_client, address="Chợ Sầm Sơn")
    _move(_admin(api_client, django_user_model), public_id, RESOLVE[0])
    response = client.get(f"/phan-anh/{public_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert public_id in html and "Đã xác minh" in html and "Hư hỏng mặt đường, ổ gà" in html
    assert "Ổ gà sâu trước chợ" in html and "Chợ Sầm Sơn" in html and "Sở Xây dựng" in html
    assert f'data-api-url="/api/reports/{public_id}/"' in html
    assert 'data-lon="105.9" data-lat="19.74"' in html  # not localised: "105,9" in Vietnamese
    for value in (*CONTACT.values(), "0912345678", "Ghi chú nội bộ"):
        assert value not in html
    assert 'id="rating" class="rating" aria-labelledby="rating-title" hidden' in html
    assert 'id="rating-form"' not in html
    assert_strict_page(response)

    english = client.get(f"/phan-anh/{public_id}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Verified" in english and "Road damage, pothole" in english


def test_a_resolved_report_offers_the_rating_which_also_works_without_script(
        client, api_client, django_user_model):
    public_id = _report(api_client)
    _move(_admin(api_client, django_user_model), public_id, *RESOLVE)
    html = client.get(f"/phan-anh/{public_id}/").content.decode()
    assert "Đã xử lý xong" in html and "Đánh giá kết quả xử lý" in html
    assert f'<form id="rating-form" method="post" action="/api/reports/{public_id}/rating/">' \
        in html
    assert len(re.findall(r'<input type="radio" id="rating-\d" name="rating"', html)) == 5
    # Without script the form posts itself to the API (form-encoded, as a browser would).
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    answer = client.post(f"/api/reports/{public_id}/rating/",
                         {"rating": "5", "csrfmiddlewaretoken": token})
    assert answer.status_code == 200
    assert Incident.objects.get(public_id=public_id).rating == 5
    html = client.get(f"/phan-anh/{public_id}/").content.decode()
    assert "Cảm ơn bạn đã đánh giá: 5/5." in html and 'id="rating-form"' not in html


def test_a_duplicate_points_to_the_report_it_joined(client, api_client, django_user_model):
    first = _report(api_client)
    second = _report(api_client)
    staff = _admin(api_client, django_user_model)
    assert staff.post(f"/api/incidents/{second}/merge/", {"into": first},
                      format="json").status_code == 200
    html = client.get(f"/phan-anh/{second}/").content.decode()
    assert "Trùng lặp" in html and f'<a href="/phan-anh/{first}/">{first}</a>' in html


def test_an_unknown_tracking_id_is_a_404_with_the_lookup_form(client):
    response = client.get("/phan-anh/PA-ZZZZZZZZ/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy phản ánh" in html and "PA-ZZZZZZZZ" in html
    assert 'action="/phan-anh/tra-cuu/"' in html
    english = client.get("/phan-anh/PA-ZZZZZZZZ/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 404 and "Report not found" in english.content.decode()
    assert client.get("/phan-anh/PA-abc/").status_code == 404


@pytest.mark.parametrize("typed, expected", [
    ("pa-abcd1234", "PA-ABCD1234"), (" ABCD1234 ", "PA-ABCD1234"), ("PA ABCD-1234", "PA-ABCD1234"),
    ("pa-7oil2345", "PA-70112345"),  # O, I, L are not in the ids' alphabet: 0, 1, 1
])
def test_the_lookup_tidies_what_was_typed(client, typed, expected):
    assert normalize_public_id(typed) == expected
    response = client.get("/phan-anh/tra-cuu/", {"ma": typed})
    assert response.status_code == 302 and response["Location"] == f"/phan-anh/{expected}/"


def test_the_lookup_explains_a_malformed_code(client):
    html = client.get("/phan-anh/tra-cuu/").content.decode()
    assert "<h1>Tra cứu phản ánh</h1>" in html and 'role="alert"' not in html
    response = client.get("/phan-anh/tra-cuu/", {"ma": "<b>12</b>"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "không phải mã phản ánh" in html and "&lt;b&gt;12&lt;/b&gt;" in html


def test_a_signed_in_users_post_from_the_page_needs_the_pages_csrf_token(django_user_model):
    """The API checks CSRF for session users (DRF), and the CSRF cookie is HttpOnly: the
    form's script sends the token of the page as X-CSRFToken."""
    user = django_user_model.objects.create_user("nguoi-dan", password="x")  # no role at all
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get("/phan-anh/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = json.dumps({"category": "khac", "lon": 105.9, "lat": 19.74, "title": "Cây đổ",
                       "description": "Cây đổ chắn đường"})
    refused = client.post("/api/incidents/", body, content_type="application/json")
    assert refused.status_code == 403
    sent = client.post("/api/incidents/", body, content_type="application/json",
                       HTTP_X_CSRFTOKEN=token)
    assert sent.status_code == 201, sent.content


def test_every_status_and_sector_has_a_citizen_name():
    assert set(STATUSES) == set(Status.values)
    assert set(Category.objects.values_list("sector", flat=True)) <= set(SECTORS)


CATALOGUES = sorted(LOCALE.parent.glob("*/locale/en/LC_MESSAGES/django.po")) + [
    LOCALE / "en" / "LC_MESSAGES" / "django.po"]


@pytest.mark.parametrize("source_path", CATALOGUES,
                         ids=lambda path: str(path.relative_to(LOCALE.parent)))
def test_every_compiled_english_catalogue_matches_its_source(source_path):
    """The .mo files are kept in git (setup installs no gettext): every message of each .po
    (the project's and each app's own) must be in its .mo, translated the same way."""
    source = source_path.read_text(encoding="utf-8")
    with open(source_path.with_suffix(".mo"), "rb") as compiled:
        catalogue = GNUTranslations(compiled)

    def text(quoted: str) -> str:
        return "".join(json.loads(part) for part in re.findall(r'"(?:[^"\\]|\\.)*"', quoted))

    entries = re.findall(r'^(?:msgctxt ((?:".*"\n)+))?msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)',
                         source, re.M)
    messages = [(text(context), text(msgid), text(msgstr))
                for context, msgid, msgstr in entries if text(msgid)]
    assert len(messages) > (100 if source_path == CATALOGUES[-1] else 5)
    assert [m for _, m, translation in messages if not translation] == []

    def translated(context: str, message: str) -> str:
        return catalogue.pgettext(context, message) if context else catalogue.gettext(message)

    assert [m for c, m, translation in messages if translated(c, m) != translation] == []
