"""PNG tiles: decoded with Pillow, a pixel over a known cell has exactly the ramp's colour,
nodata and values below a STEP ramp's first stop are transparent; the 404/204/304 table, cache
headers, access, and the TileJSON against the TileJSON 3.0.0 schema."""
import io
import json
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from PIL import Image
from rasterio.transform import from_origin

from rasters.ramps import RAMPS
from tiles.grid import TileAddress, lonlat_to_tile, tile_bounds
from tests.rasters.conftest import make_raster

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "tests/standards/tilejson-3.0.0/schema.json").read_text())
TILE = lonlat_to_tile(105.85, 19.8, 12)  # a z12 tile near Thanh Hóa city


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def tile_aligned(values: np.ndarray, **meta):
    """A web-mercator raster whose 256 × 256 cells are exactly TILE's pixels."""
    left, bottom, right, top = tile_bounds(TILE)
    transform = from_origin(left, top, (right - left) / 256, (top - bottom) / 256)
    return make_raster(meta.pop("slug", "o-ngap"), values, crs="EPSG:3857",
                       transform=transform, **meta)


def decode(response) -> np.ndarray:
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (256, 256) and image.mode == "RGBA"
    return np.asarray(image)


def url(slug: str, address: TileAddress = TILE) -> str:
    return f"/tiles/raster/{slug}/{address.z}/{address.x}/{address.y}.png"


@pytest.fixture
def levels():
    """Hazard levels 0–3 in four vertical bands; a nodata square in the middle."""
    values = np.repeat(np.repeat(np.array([[0, 1, 2, 3]], dtype=np.uint8), 64, axis=1),
                       256, axis=0)
    values[100:140, 100:140] = 255
    return tile_aligned(values, nodata=255), values


def test_step_ramp_colours_equal_the_ramp_and_nodata_is_transparent(client, levels):
    raster, values = levels
    pixels = decode(client.get(url(raster.slug)))
    colours = RAMPS["flood"].colours
    for column, level in ((10, 0), (70, 1), (140, 2), (250, 3)):
        row = 20
        assert values[row, column] == level
        if level == 0:  # below the first stop of a STEP ramp: not drawn
            assert pixels[row, column, 3] == 0
        else:
            assert tuple(pixels[row, column, :3]) == rgb(colours[level - 1])
            assert pixels[row, column, 3] == 255
    assert (pixels[100:140, 100:140, 3] == 0).all()  # nodata
    # Every drawn pixel has its cell's class colour.
    drawn = pixels[..., 3] == 255
    expected = np.array([(0, 0, 0)] + [rgb(c) for c in colours])[np.where(values == 255, 0,
                                                                          values)]
    assert (pixels[drawn][:, :3] == expected[drawn]).all()
    assert drawn.sum() == ((values >= 1) & (values <= 3)).sum()


def test_linear_ramp_blends_between_stops(client):
    values = np.full((256, 256), 150.0, dtype=np.float32)
    values[:, :64] = 100.0   # a stop: exactly its colour
    values[:, 64:128] = 0.0  # below the first stop: clamped to it
    values[:, 192:] = 9999   # above the last: the last colour
    raster = tile_aligned(values, slug="mat-do", value_kind="DENSITY", ramp="ylorrd",
                          ramp_stops=[100, 200, 300, 400, 500], ramp_mode="LINEAR")
    pixels = decode(client.get(url(raster.slug)))
    first, second, last = (rgb(c) for c in np.array(RAMPS["ylorrd"].colours)[[0, 1, 4]])
    assert tuple(pixels[5, 10, :3]) == first and tuple(pixels[5, 70, :3]) == first
    midway = tuple(int(np.rint((a + b) / 2)) for a, b in zip(first, second))
    assert tuple(pixels[5, 150, :3]) == midway
    assert tuple(pixels[5, 200, :3]) == last
    assert (pixels[..., 3] == 255).all()


def test_a_geographic_raster_is_reprojected_when_drawn(client):
    """A WGS84 raster: the pixel at a cell's centre has that cell's colour."""
    values = np.array([[1, 2], [3, 255]], dtype=np.uint8)
    raster = make_raster("dia-ly", values, crs="EPSG:4326", nodata=255,
                         transform=from_origin(105.80, 19.84, 0.05, 0.05))
    address = lonlat_to_tile(105.85, 19.79, 10)
    pixels = decode(client.get(url(raster.slug, address)))
    left, bottom, right, top = tile_bounds(address)
    from pyproj import Transformer

    to_3857 = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    for (lon, lat), level in (((105.825, 19.815), 1), ((105.875, 19.815), 2),
                              ((105.825, 19.765), 3), ((105.875, 19.765), None)):
        x, y = to_3857.transform(lon, lat)
        column = int((x - left) / (right - left) * 256)
        row = int((top - y) / (top - bottom) * 256)
        if level is None:
            assert pixels[row, column, 3] == 0
        else:
            assert tuple(pixels[row, column]) == (*rgb(RAMPS["flood"].colours[level - 1]), 255)


def test_status_table(client, levels):
    raster, _ = levels
    hanoi = lonlat_to_tile(105.84, 21.03, 12)
    first = client.get(url(raster.slug))
    etag = first["ETag"]
    cases = [
        (url(raster.slug), {}, 200),
        (url(raster.slug), {"HTTP_IF_NONE_MATCH": etag}, 304),
        (url(raster.slug), {"HTTP_IF_NONE_MATCH": f'W/{etag}, "other"'}, 304),
        (url(raster.slug), {"HTTP_IF_NONE_MATCH": '"stale"'}, 200),
        (url(raster.slug, hanoi), {}, 204),                       # outside the raster
        (url(raster.slug, TileAddress(3, 0, 0)), {}, 204),
        (url("khong-co"), {}, 404),                               # unknown slug
        (f"/tiles/raster/{raster.slug}/3/8/0.png", {}, 404),      # x ≥ 2^z
        (f"/tiles/raster/{raster.slug}/3/-1/0.png", {}, 404),
        (f"/tiles/raster/{raster.slug}/a/0/0.png", {}, 404),
        (f"/tiles/raster/{raster.slug}/23/0/0.png", {}, 404),     # beyond the deepest zoom
        ("/tiles/raster/Khong Co/1/0/0.png", {}, 404),
    ]
    for path, headers, status in cases:
        response = client.get(path, **headers)
        assert response.status_code == status, (path, headers, response.content[:200])
        if status == 404:
            assert response.json()["error"]["status"] == 404
        if status in (200, 304):
            assert response["ETag"] == etag and response["Cache-Control"] == "public, no-cache"
        if status in (204, 304):
            assert response.content == b""


def test_etag_changes_with_the_ramp(client, levels):
    raster, _ = levels
    before = client.get(url(raster.slug))["ETag"]
    raster.ramp_stops = [1, 2, 2.5]
    raster.save()
    after = client.get(url(raster.slug), HTTP_IF_NONE_MATCH=before)
    assert after.status_code == 200 and after["ETag"] != before


def test_private_raster_tiles_are_hidden_from_those_who_may_not_see_it(client, levels,
                                                                      make_user):
    raster, _ = levels
    raster.is_public = False
    raster.save()
    assert client.get(url(raster.slug)).status_code == 404
    assert client.get(f"/tiles/raster/{raster.slug}.json").status_code == 404
    client.force_login(make_user("province_leader"))
    response = client.get(url(raster.slug))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
    assert "Cookie" in response["Vary"]


def test_tilejson_is_valid_and_points_at_the_png_tiles(client, levels):
    raster, _ = levels
    document = client.get(f"/tiles/raster/{raster.slug}.json").json()
    jsonschema.validate(document, SCHEMA)
    assert document["tiles"] == [f"http://testserver/tiles/raster/{raster.slug}/{{z}}/{{x}}"
                                 "/{y}.png"]
    west, south, east, north = document["bounds"]
    assert west < 105.85 < east and south < 19.8 < north
    assert document["maxzoom"] == raster.max_zoom == 12
    assert client.get("/tiles/raster/khong-co.json").json()["error"]["status"] == 404


def test_a_missing_cog_is_a_named_404_not_a_crash(client, levels):
    from rasters.files import stored_path

    raster, _ = levels
    stored_path(raster.file_name).unlink()
    child = TileAddress(TILE.z + 1, TILE.x * 2, TILE.y * 2)  # never drawn, so never cached
    response = client.get(url(raster.slug, child))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "raster_file_missing"
