"""Request limits on the API: deep JSON and oversized or over-long requests are 4xx answers in
the API's error format, never a 500 or an HTML page."""
import io
import json
import time

import pytest
from django.test import override_settings
from rest_framework.exceptions import ParseError

from ioc_gis.api.parsers import RequestTooLarge, SafeJSONParser, nesting_depth

pytestmark = pytest.mark.urls("tests.security.urls_probe")

ECHO = "/api/probe/echo/"


def post_json(client, body: bytes | str):
    return client.post(ECHO, data=body, content_type="application/json")


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response.headers["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (status, code)
    assert error["message"]
    return error


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_a_50000_deep_array_is_a_400_not_a_500(client):
    error = assert_error(post_json(client, nested(50_000)), 400, "parse_error")
    assert "64" in error["message"]


def test_ordinary_json_passes(client):
    response = post_json(client, json.dumps({"a": [1, 2], "b": {"c": "x"}}))
    assert response.status_code == 200
    assert response.json() == {"size": 2}


@override_settings(IOC_MAX_JSON_DEPTH=64)
def test_the_depth_limit_is_inclusive(client):
    assert post_json(client, nested(64)).status_code == 200
    assert_error(post_json(client, nested(65)), 400, "parse_error")


def test_brackets_inside_strings_do_not_count(client):
    body = json.dumps({"text": "[{" * 500 + '\\"[[[', "more": ['"]]]"', "\\"]})
    response = post_json(client, body)
    assert response.status_code == 200


def test_geojson_is_well_within_the_depth_limit(client):
    square = [[[105.7, 19.8], [105.8, 19.8], [105.8, 19.9], [105.7, 19.8]]]
    feature = {"type": "Feature", "properties": {},
               "geometry": {"type": "MultiPolygon", "coordinates": [square]}}
    response = post_json(client, json.dumps({"type": "FeatureCollection", "features": [feature]}))
    assert response.status_code == 200


@pytest.mark.parametrize("body", ['{"a": [}', "]]]][[[[", '["unterminated]'])
def test_malformed_json_is_a_400(client, body):
    assert_error(post_json(client, body), 400, "parse_error")


def test_other_charsets_cannot_hide_brackets_from_the_scan(client):
    # In UTF-16 "∀" is the bytes 00 22: a byte scan would see a quote and skip what follows.
    # (The test client encodes str data in the charset of the content type.)
    utf16 = "application/json; charset=utf-16"
    response = client.post(ECHO, data='["∀", ' + nested(1000) + "]", content_type=utf16)
    assert "64" in assert_error(response, 400, "parse_error")["message"]
    ok = client.post(ECHO, data='{"tên": "Thanh Hóa"}', content_type=utf16)
    assert ok.json() == {"size": 1}


def test_a_body_over_data_upload_max_memory_size_is_a_413(client, settings):
    body = b'"' + b"x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + b'"'
    assert_error(post_json(client, body), 413, "request_too_large")


def test_the_parser_itself_refuses_more_than_the_limit(settings):
    """Second line of defence: DRF reads the stream itself, bypassing HttpRequest.body."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    with pytest.raises(RequestTooLarge):
        SafeJSONParser().parse(io.BytesIO(b"[" + b"1," * 100 + b"1]"))
    assert SafeJSONParser().parse(io.BytesIO(b"[1, 2]")) == [1, 2]


def test_a_recursion_error_in_the_decoder_is_still_a_400(monkeypatch):
    # As if the scan had let deep JSON through (say, a huge IOC_MAX_JSON_DEPTH).
    monkeypatch.setattr("ioc_gis.api.parsers.nesting_depth", lambda raw: 1)
    with pytest.raises(ParseError):
        SafeJSONParser().parse(io.BytesIO(nested(200_000).encode()))


def test_a_multipart_form_over_the_limit_is_a_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(ECHO, data={"text": "x" * 2000})  # multipart: Django counts fields
    assert_error(response, 413, "request_too_large")


def test_too_many_form_fields_is_a_400(client, settings):
    body = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = client.post(ECHO, data=body, content_type="application/x-www-form-urlencoded")
    assert_error(response, 400, "too_many_fields")


def test_too_many_query_parameters_is_a_400(client, settings):
    query = "&".join(f"q{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    assert_error(client.get(f"{ECHO}?{query}"), 400, "too_many_fields")


def test_outside_the_api_django_keeps_its_own_answer(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = client.post("/admin/login/", data="x=" + "y" * 200,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert not response.headers["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("raw", [
    b'"' + b'\\"' * 1_000_000 + b"\\",  # an unterminated string full of escaped quotes
    b'x\\"' * 1_000_000,
    b"[]" * 2_000_000,
    b"[" * 2_000_000,
], ids=["unterminated-escapes", "stray-escaped-quotes", "flat", "open"])
def test_the_depth_scan_is_linear_on_hostile_input(raw):
    started = time.perf_counter()
    nesting_depth(raw)
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize(("raw", "depth"), [
    (b"1", 0), (b"[]", 1), (b"{[]}", 2), (b"[[],[[]]]", 3), (b'["]]"]', 1), (b'{"a": "\\\\"}', 1),
    (b'["\\"[["]', 1), (b"[{" * 40 + b"}]" * 40, 80), (b"]]][[", 0), (b'["[[[', 1),
])
def test_nesting_depth(raw, depth):
    assert nesting_depth(raw) == depth
