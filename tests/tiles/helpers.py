"""Shared helpers of the tile tests: fetch, gunzip, check against the MVT spec, decode."""
import gzip

from tests.tiles.mvt_spec import assert_valid_tile, decode_layers
from tiles.grid import TileAddress, lonlat_to_tile

CITY = (105.776, 19.807)      # TP Thanh Hóa
SAM_SON = (105.9, 19.74)
SEA = (106.6, 19.2)           # Gulf of Tonkin, no data


def tile_url(slug: str, lon_lat, z: int, query: str = "") -> str:
    t = lonlat_to_tile(*lon_lat, z)
    return f"/tiles/{slug}/{t.z}/{t.x}/{t.y}.pbf" + (f"?{query}" if query else "")


def address_of(url: str) -> TileAddress:
    z, x, y = url.split("?")[0].removesuffix(".pbf").split("/")[-3:]
    return TileAddress(int(z), int(x), int(y))


def fetch_layers(client, url: str, **headers) -> dict:
    """GET a tile (gzip accepted), check it against the spec, and decode it ({} for 204)."""
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip", **headers)
    assert response.status_code in (200, 204), (url, response.status_code, response.content[:200])
    if response.status_code == 204:
        return {}
    assert response["Content-Encoding"] == "gzip"
    raw = gzip.decompress(response.content)
    assert_valid_tile(raw)
    return decode_layers(raw)


def statement_text(sql: str) -> str:
    """The text a captured statement ran: for `EXECUTE tile_…(…)`, the prepared statement's
    own text as this session holds it (tiles/prepared.py)."""
    import re

    from django.db import connection

    if sql.startswith("SELECT set_config('pghistory."):  # the audit context, in requests
        sql = sql.split("; ", 1)[1]
    match = re.match(r"EXECUTE (tile_[0-9a-f]+)\b", sql)
    if not match:
        return sql
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name = %s",
                       [match.group(1)])
        row = cursor.fetchone()
    assert row, f"{match.group(1)} is not prepared in this session"
    return row[0]


def tile_content(body: bytes) -> dict:
    """A tile's layers and their features, gzipped or not, whatever the order of its features
    (a prepared statement's generic plan may return rows in another order than a custom plan:
    the same tile, other bytes)."""
    import json

    raw = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
    return {name: sorted(json.dumps({k: f[k] for k in ("type", "properties", "geometry")},
                                    sort_keys=True, default=str) for f in layer["features"])
            for name, layer in decode_layers(raw).items()}
