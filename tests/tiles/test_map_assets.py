"""The map's offline assets (scripts/map_assets.sh): MapLibre GL JS and SDF glyph ranges for
Vietnamese labels, served by our own server under /static/map/, and the style validator CLI."""
import json
import subprocess
import unicodedata
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client, override_settings

from tests.browser.conftest import live_server_on_test_db

ROOT = Path(settings.BASE_DIR)
ASSETS = ROOT / "var" / "map-assets"
FONTSTACKS = ("Noto Sans Regular", "Noto Sans Bold")
RANGES = ("0-255", "256-511", "512-767", "768-1023", "7680-7935", "8192-8447")
GLYPHS_URL = "/static/map/glyphs/{fontstack}/{range}.pbf"  # the style's `glyphs` template
PLACES = ("Thanh Hóa", "Sầm Sơn", "Đông Sơn", "Nghi Sơn", "Hoằng Hóa", "Quảng Xương")
SDF_BORDER = 3  # fontnik pads every bitmap by 3 px on each side


def read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """Decodes the protobuf varint at `pos`; returns (value, next position)."""
    value = shift = 0
    while True:
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            return value, pos
        shift += 7


def read_message(data: bytes) -> dict[int, list]:
    """Protobuf wire format → {field number: [values]}: ints for varints, bytes otherwise."""
    fields: dict[int, list] = {}
    pos = 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, pos = read_varint(data, pos)
        elif wire_type == 2:
            size, pos = read_varint(data, pos)
            value, pos = data[pos:pos + size], pos + size
            assert pos <= len(data), "length-delimited field runs past the end"
        elif wire_type in (1, 5):
            size = 8 if wire_type == 1 else 4
            value, pos = data[pos:pos + size], pos + size
        else:
            raise AssertionError(f"unexpected wire type {wire_type}")
        fields.setdefault(number, []).append(value)
    return fields


def decode_glyphs(data: bytes) -> list[dict]:
    """A glyphs PBF (fontnik's proto/glyphs.proto: glyphs.stacks[].glyphs[]) as plain dicts."""
    stacks = []
    for raw_stack in read_message(data).get(1, []):
        stack = read_message(raw_stack)
        glyphs = []
        for raw_glyph in stack.get(3, []):
            glyph = read_message(raw_glyph)
            glyphs.append({"id": glyph[1][0], "bitmap": glyph.get(2, [b""])[0],
                           "width": glyph[3][0], "height": glyph[4][0],
                           "advance": glyph[7][0]})
        stacks.append({"name": stack[1][0].decode(), "range": stack[2][0].decode(),
                       "glyphs": glyphs})
    return stacks


def glyph_ids(fontstack: str) -> set[int]:
    """Every code point that has a glyph in the built ranges of `fontstack`."""
    ids = set()
    for range_ in RANGES:
        for stack in decode_glyphs((ASSETS / "glyphs" / fontstack / f"{range_}.pbf").read_bytes()):
            ids |= {glyph["id"] for glyph in stack["glyphs"]}
    return ids


def vietnamese_letters() -> list[str]:
    """All precomposed Vietnamese letters: 12 vowels × 6 tones, both cases, and đ Đ."""
    tones = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
    lower = [unicodedata.normalize("NFC", v + t) for v in "aăâeêioôơuưy" for t in tones] + ["đ"]
    return lower + [letter.upper() for letter in lower]


@pytest.fixture(scope="module", autouse=True)
def assets_built():
    """The assets come from scripts/map_assets.sh (run by `make test` through setup.sh)."""
    if not (ASSETS / "maplibre-gl" / "maplibre-gl.js").is_file():
        pytest.fail("var/map-assets is missing: run scripts/map_assets.sh")


@pytest.mark.parametrize("fontstack", FONTSTACKS)
@pytest.mark.parametrize("range_", RANGES)
def test_glyph_range_decodes_with_sdf_bitmaps(fontstack, range_):
    stacks = decode_glyphs((ASSETS / "glyphs" / fontstack / f"{range_}.pbf").read_bytes())

    assert [(s["name"], s["range"]) for s in stacks] == [(fontstack, range_)]
    start, end = map(int, range_.split("-"))
    glyphs = stacks[0]["glyphs"]
    assert glyphs and all(start <= g["id"] <= end for g in glyphs)
    drawn = [g for g in glyphs if g["width"]]
    assert drawn, "no glyph in this range has a bitmap"
    for glyph in drawn:
        padded = (glyph["width"] + 2 * SDF_BORDER) * (glyph["height"] + 2 * SDF_BORDER)
        assert len(glyph["bitmap"]) == padded, f"U+{glyph['id']:04X}: bitmap size"


@pytest.mark.parametrize("fontstack", FONTSTACKS)
def test_fontstack_draws_vietnamese_place_names(fontstack):
    ids = glyph_ids(fontstack)

    for place in PLACES:
        for form in ("NFC", "NFD"):  # precomposed, and base letters + combining marks
            text = unicodedata.normalize(form, place)
            missing = sorted({c for c in text if ord(c) not in ids})
            assert not missing, f"{fontstack}: no glyph for {missing} in {text!r} ({form})"
    missing = [letter for letter in vietnamese_letters() if ord(letter) not in ids]
    assert not missing, f"{fontstack}: no glyph for {missing}"
    assert ord("₫") in ids and ord("–") in ids


def test_maplibre_gl_is_found_by_the_static_finders():
    for name in ("maplibre-gl.js", "maplibre-gl.css"):
        found = finders.find(f"map/maplibre-gl/{name}")
        assert found and Path(found) == ASSETS / "maplibre-gl" / name
    assert "maplibregl" in (ASSETS / "maplibre-gl" / "maplibre-gl.js").read_text()[:50_000]


def test_whitenoise_serves_glyphs_with_encoded_spaces_and_maplibre():
    """Whitenoise in front of Django, reading the finders as it does in development (in
    production it reads the same files from STATIC_ROOT after collectstatic)."""
    url = GLYPHS_URL.format(fontstack=quote("Noto Sans Bold"), range="7680-7935")
    with override_settings(WHITENOISE_USE_FINDERS=True):
        client = Client()
        glyphs = client.get(url)
        script = client.get("/static/map/maplibre-gl/maplibre-gl.js")

    assert glyphs.status_code == 200
    assert b"".join(glyphs.streaming_content) == (
        ASSETS / "glyphs" / "Noto Sans Bold" / "7680-7935.pbf").read_bytes()
    assert script.status_code == 200
    assert script["Content-Type"].startswith("text/javascript")


def test_the_tests_live_server_serves_glyphs_and_maplibre(django_db_blocker):
    """The live server that the browser tests use (Django's StaticFilesHandler)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    glyph_path = GLYPHS_URL.format(fontstack=quote("Noto Sans Regular"), range="256-511")
    with live_server_on_test_db(django_db_blocker) as base:
        with opener.open(base + glyph_path, timeout=10) as response:
            body = response.read()
        with opener.open(base + "/static/map/maplibre-gl/maplibre-gl.css", timeout=10) as css:
            assert css.status == 200 and b".maplibregl-map" in css.read()

    stacks = decode_glyphs(body)
    assert stacks[0]["name"] == "Noto Sans Regular"
    assert {ord("đ"), ord("Đ"), ord("ơ"), ord("ư")} <= {g["id"] for g in stacks[0]["glyphs"]}


def run_validator(tmp_path: Path, style: dict) -> subprocess.CompletedProcess:
    """Runs gl-style-validate (from @maplibre/maplibre-gl-style-spec) on `style`."""
    cli = ROOT / "node_modules" / ".bin" / "gl-style-validate"
    assert cli.exists(), "npm packages missing: run scripts/map_assets.sh"
    path = tmp_path / "style.json"
    path.write_text(json.dumps(style, ensure_ascii=False), encoding="utf-8")
    return subprocess.run([str(cli), str(path)], capture_output=True, text=True, timeout=60)


def test_style_validator_accepts_a_valid_style(tmp_path):
    style = {
        "version": 8,
        "glyphs": GLYPHS_URL,
        "sources": {"places": {"type": "geojson", "data": {
            "type": "FeatureCollection", "features": [{
                "type": "Feature", "properties": {"ten": "Thanh Hóa"},
                "geometry": {"type": "Point", "coordinates": [105.78, 19.81]}}]}}},
        "layers": [
            {"id": "nen", "type": "background", "paint": {"background-color": "#f4f1ea"}},
            {"id": "ten", "type": "symbol", "source": "places",
             "layout": {"text-field": ["get", "ten"], "text-font": ["Noto Sans Bold"]}},
        ],
    }
    result = run_validator(tmp_path, style)

    assert result.returncode == 0, result.stdout + result.stderr


def test_style_validator_rejects_an_invalid_style(tmp_path):
    style = {"version": 7, "sources": {},
             "layers": [{"id": "x", "type": "nonsense", "source": "missing"}]}
    result = run_validator(tmp_path, style)

    assert result.returncode != 0
    assert 'source "missing" not found' in result.stdout + result.stderr
    assert "nonsense" in result.stdout + result.stderr
