"""Tests for the MVT 2.1 checker, on tiles built byte by byte with the tiny encoder below.

The encoder is deliberately naive (no validation) so that it can build broken tiles too. Pure
tests: no database, so they run without PostGIS.
"""

import gzip
import struct

import pytest

from tests.tiles.mvt_spec import (
    LINESTRING,
    POINT,
    POLYGON,
    assert_valid_tile,
    check_tile,
    decode_layers,
)

# --- a minimal protobuf / MVT encoder --------------------------------------------------------

VARINT, FIXED64, LEN, FIXED32 = 0, 1, 2, 5
COMMANDS = {"M": 1, "L": 2, "C": 7}
OMIT = object()  # leave the field out of the message entirely


def varint(n: int) -> bytes:
    n &= 2**64 - 1  # negative int64 values are sent as their 64-bit two's complement
    out = bytearray()
    while True:
        out.append(n & 0x7F | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def key(number: int, wire: int) -> bytes:
    return varint(number << 3 | wire)


def f_varint(number: int, value: int) -> bytes:
    return key(number, VARINT) + varint(value)


def f_bytes(number: int, payload: bytes) -> bytes:
    return key(number, LEN) + varint(len(payload)) + payload


def f_packed(number: int, values) -> bytes:
    return f_bytes(number, b"".join(varint(v) for v in values))


def zigzag(n: int) -> int:
    return (n << 1) ^ (n >> 31)


def geom(*commands) -> list[int]:
    """Encode ("M", (x, y)), ("L", (x, y), ...), ("C",) given absolute tile coordinates."""
    out, cx, cy = [], 0, 0
    for name, *points in commands:
        out.append(COMMANDS[name] | max(len(points), 1) << 3)
        for x, y in points:
            out += [zigzag(x - cx), zigzag(y - cy)]
            cx, cy = x, y
    return out


def ring(*points):
    """A closed ring: MoveTo the first point, LineTo the rest, ClosePath."""
    return [("M", points[0]), ("L", *points[1:]), ("C",)]


def s_value(text: str) -> bytes:
    return f_bytes(1, text.encode())


def feature(*, geometry, type=POINT, id=OMIT, tags=()) -> bytes:
    parts = [] if id is OMIT else [f_varint(1, id)]
    if tags:
        parts.append(f_packed(2, tags))
    if type is not OMIT:
        parts.append(f_varint(3, type))
    if geometry is not OMIT:
        parts.append(f_packed(4, geometry))
    return b"".join(parts)


def layer(*features, name="pois", version=2, extent=4096, keys=(), values=()) -> bytes:
    parts = [] if version is OMIT else [f_varint(15, version)]
    if name is not OMIT:
        parts.append(f_bytes(1, name.encode() if isinstance(name, str) else name))
    parts += [f_bytes(2, f) for f in features]
    parts += [f_bytes(3, k.encode() if isinstance(k, str) else k) for k in keys]
    parts += [f_bytes(4, v) for v in values]
    if extent is not OMIT:
        parts.append(f_varint(5, extent))
    return b"".join(parts)


def tile(*layers) -> bytes:
    return b"".join(f_bytes(3, raw) for raw in layers)


POINT_GEOM = geom(("M", (25, 17)))
SQUARE = ring((0, 0), (100, 0), (100, 100), (0, 100))  # clockwise on screen: exterior
HOLE = ring((20, 20), (20, 80), (80, 80), (80, 20))  # counter-clockwise: interior


def point_tile(**layer_args) -> bytes:
    return tile(layer(feature(geometry=POINT_GEOM, id=1), **layer_args))


# --- valid tiles -----------------------------------------------------------------------------

VALID = {
    "empty tile": b"",
    "point": point_tile(),
    "multipoint": tile(layer(feature(geometry=geom(("M", (5, 7), (3, 2)))))),
    "point on the buffer edge": tile(layer(feature(geometry=geom(("M", (-256, 4352)))))),
    "linestring": tile(layer(feature(type=LINESTRING, geometry=geom(
        ("M", (2, 2)), ("L", (2, 10), (10, 10)))))),
    "multilinestring": tile(layer(feature(type=LINESTRING, geometry=geom(
        ("M", (2, 2)), ("L", (2, 10)), ("M", (1, 1)), ("L", (3, 5)))))),
    "polygon with hole": tile(layer(feature(type=POLYGON, geometry=geom(*SQUARE, *HOLE)))),
    "multipolygon": tile(layer(feature(type=POLYGON, geometry=geom(
        *SQUARE, *HOLE, *ring((200, 200), (300, 200), (300, 300)))))),
    "tags and every value type": tile(layer(
        feature(geometry=POINT_GEOM, id=1, tags=[0, 0, 1, 1]),
        feature(geometry=POINT_GEOM, id=2, tags=[0, 2, 1, 3, 2, 4, 3, 5, 4, 6]),
        keys=["name", "n", "big", "neg", "on"],
        values=[s_value("Sầm Sơn"), key(2, FIXED32) + struct.pack("<f", 1.5),
                key(3, FIXED64) + struct.pack("<d", 2.25), f_varint(4, -3), f_varint(5, 2**40),
                f_varint(6, zigzag(-7)), f_varint(7, 1)])),
    "multiple layers, no ids, custom extent": tile(
        layer(feature(geometry=POINT_GEOM), name="roads"),
        layer(feature(geometry=geom(("M", (500, 500)))), name="pois", extent=512),
    ),
    "extent absent defaults to 4096": point_tile(extent=OMIT),
    "layer extension field": tile(layer(feature(geometry=POINT_GEOM)) + f_varint(20, 1)),
}


@pytest.mark.parametrize("data", VALID.values(), ids=VALID.keys())
def test_valid_tiles_have_no_violations(data):
    assert check_tile(data) == []
    assert_valid_tile(data)


def test_decode_layers_reads_layers_features_and_geometry():
    data = tile(
        layer(feature(geometry=POINT_GEOM, id=7, tags=[0, 0]), keys=["name"],
              values=[s_value("chợ")]),
        layer(feature(type=POLYGON, geometry=geom(*SQUARE, *HOLE)), name="zones", extent=512),
    )
    layers = decode_layers(data)
    assert list(layers) == ["pois", "zones"]
    pois, zones = layers["pois"], layers["zones"]
    assert (pois["version"], pois["extent"], pois["keys"]) == (2, 4096, ["name"])
    assert pois["features"] == [{"id": 7, "type": POINT, "tags": [0, 0],
                                 "properties": {"name": "chợ"}, "geometry": [(25, 17)]}]
    assert zones["extent"] == 512
    assert zones["features"][0]["geometry"] == [
        [(0, 0), (100, 0), (100, 100), (0, 100), (0, 0)],
        [(20, 20), (20, 80), (80, 80), (80, 20), (20, 20)],
    ]


def test_decode_layers_reads_every_value_type():
    features = decode_layers(VALID["tags and every value type"])["pois"]["features"]
    assert features[0]["properties"] == {"name": "Sầm Sơn", "n": 1.5}
    assert features[1]["properties"] == {"name": 2.25, "n": -3, "big": 2**40, "neg": -7,
                                         "on": True}


def test_decode_layers_refuses_gzip_and_malformed_bytes():
    with pytest.raises(ValueError, match="gzipped"):
        decode_layers(gzip.compress(point_tile()))
    with pytest.raises(ValueError, match="truncated"):
        decode_layers(point_tile()[:-1])


def test_buffer_keyword_bounds_coordinates():
    data = tile(layer(feature(geometry=geom(("M", (-10, 4100))))))
    assert check_tile(data) == []
    assert check_tile(data, buffer=0) == [
        "layer 'pois' feature #0: 1 vertices outside [0, 4096], first (-10, 4100)"]


def test_assert_valid_tile_lists_every_violation():
    data = tile(layer(feature(geometry=POINT_GEOM, type=0), version=1))
    with pytest.raises(AssertionError) as raised:
        assert_valid_tile(data)
    assert "version is 1" in str(raised.value)
    assert "type is 0" in str(raised.value)


def test_tiles_from_mapbox_vector_tile_are_valid():
    mvt = pytest.importorskip("mapbox_vector_tile")
    data = mvt.encode([
        {"name": "incidents", "features": [
            {"geometry": "POINT (10 20)", "properties": {"status": "NEW"}, "id": 1},
            {"geometry": "MULTIPOINT (1 1, 30 40)", "properties": {"n": 3}, "id": 2},
        ]},
        {"name": "roads", "features": [
            {"geometry": "MULTILINESTRING ((0 0, 10 10), (20 20, 40 20))", "properties": {}},
        ]},
        {"name": "zones", "features": [
            {"geometry": "POLYGON ((0 0, 100 0, 100 100, 0 100, 0 0),"
                         " (20 20, 20 80, 80 80, 80 20, 20 20))",
             "properties": {"level": 2.5, "ok": True}, "id": 9},
        ]},
    ])
    assert check_tile(data) == []
    ours, theirs = decode_layers(data), mvt.decode(data)
    for name, decoded in theirs.items():
        assert [f["properties"] for f in ours[name]["features"]] == [
            f["properties"] for f in decoded["features"]]


# --- broken tiles ----------------------------------------------------------------------------

def polygon_tile(*commands) -> bytes:
    return tile(layer(feature(type=POLYGON, geometry=geom(*commands))))


def point_with(**feature_args) -> bytes:
    return tile(layer(feature(**{"geometry": POINT_GEOM, **feature_args})))


BROKEN = {
    # wire format
    "gzipped": (gzip.compress(point_tile()), "tile is gzipped"),
    "truncated varint": (point_tile() + b"\x1a\x80", "truncated varint"),
    "truncated length-delimited": (point_tile()[:-3], "field 3 truncated"),
    "varint longer than 10 bytes": (b"\x08" + b"\xff" * 11, "longer than 10 bytes"),
    "group wire type": (point_tile() + key(9, 3), "unsupported wire type 3"),
    "field number 0": (b"\x00\x00", "field number 0"),
    "known field with wrong wire type": (
        tile(key(15, LEN) + b"\x01\x02" + layer(feature(geometry=POINT_GEOM), version=OMIT)),
        "field version has wire type 2"),
    "unknown feature field": (tile(layer(feature(geometry=POINT_GEOM) + f_varint(9, 1))),
                              "unknown field number 9"),
    # layers
    "version 1": (point_tile(version=1), "version is 1, expected 2"),
    "missing version": (point_tile(version=OMIT), "has no version field"),
    "missing name": (point_tile(name=OMIT), "layer #0: has no name"),
    "empty name": (point_tile(name=""), "name is empty"),
    "name twice": (tile(f_bytes(1, b"x") + layer(feature(geometry=POINT_GEOM))),
                   "field name appears 2 times"),
    "name not UTF-8": (point_tile(name=b"\xff"), "not valid UTF-8"),
    "duplicate layer names": (tile(layer(feature(geometry=POINT_GEOM)),
                                   layer(feature(geometry=POINT_GEOM))),
                              "layer name 'pois' is used by 2 layers"),
    "extent 0": (point_tile(extent=0), "extent must be greater than 0"),
    "duplicate keys": (tile(layer(feature(geometry=POINT_GEOM), keys=["a", "a"])),
                       "key 'a' appears 2 times in keys"),
    "value with two fields": (tile(layer(feature(geometry=POINT_GEOM),
                                         values=[s_value("a") + f_varint(4, 1)])),
                              "has 2 value fields"),
    "value with no field": (tile(layer(feature(geometry=POINT_GEOM), values=[b""])),
                            "has 0 value fields"),
    # features and tags
    "duplicate feature ids": (tile(layer(feature(geometry=POINT_GEOM, id=4),
                                         feature(geometry=POINT_GEOM, id=4))),
                              "feature id 4 is used by 2 features"),
    "tags odd length": (tile(layer(feature(geometry=POINT_GEOM, tags=[0, 0, 0]), keys=["a"],
                                   values=[s_value("x")])), "tags has odd length 3"),
    "key index out of range": (tile(layer(feature(geometry=POINT_GEOM, tags=[1, 0]),
                                          keys=["a"], values=[s_value("x")])),
                               "tag pair (1, 0) out of range"),
    "value index out of range": (tile(layer(feature(geometry=POINT_GEOM, tags=[0, 5]),
                                            keys=["a"], values=[s_value("x")])),
                                 "tag pair (0, 5) out of range"),
    "same key twice in a feature": (tile(layer(feature(geometry=POINT_GEOM, tags=[0, 0, 0, 1]),
                                               keys=["a"], values=[s_value("x"), s_value("y")])),
                                    "key 'a' appears twice in tags"),
    "UNKNOWN geometry type": (point_with(type=0), "type is 0"),
    "geometry type 4": (point_with(type=4), "type is 4"),
    "missing type": (point_with(type=OMIT), "type is missing"),
    "missing geometry": (point_with(geometry=OMIT), "has no geometry field"),
    # geometry encoding
    "unknown command id": (point_with(geometry=[3 | 1 << 3, 2, 2]), "unknown command id 3"),
    "MoveTo count 0": (point_with(geometry=[1]), "MoveTo has count 0"),
    "missing parameters": (point_with(geometry=[9, 2]), "needs 2 parameters, 1 left"),
    "LineTo in a POINT": (point_with(geometry=geom(("M", (1, 1)), ("L", (2, 2)))),
                          "POINT geometry must be one MoveTo"),
    "POINT as two MoveTo commands": (point_with(geometry=geom(("M", (1, 1)), ("M", (2, 2)))),
                                     "POINT geometry must be one MoveTo"),
    "linestring MoveTo count 2": (point_with(type=LINESTRING, geometry=geom(
        ("M", (1, 1), (2, 2)), ("L", (3, 3)))), "MoveTo count is 2"),
    "linestring without LineTo": (point_with(type=LINESTRING, geometry=geom(("M", (1, 1)))),
                                  "expected [MoveTo, LineTo] at command 0, got [MoveTo]"),
    "ClosePath in a linestring": (point_with(type=LINESTRING, geometry=geom(
        ("M", (1, 1)), ("L", (2, 2)), ("C",))), "got [ClosePath]"),
    "zero-length LineTo": (point_with(type=LINESTRING, geometry=geom(
        ("M", (1, 1)), ("L", (1, 1)))), "LineTo with zero length"),
    "polygon LineTo count 1": (polygon_tile(("M", (0, 0)), ("L", (9, 0)), ("C",)),
                               "LineTo count is 1, expected >= 2"),
    "polygon without ClosePath": (polygon_tile(("M", (0, 0)), ("L", (9, 0), (9, 9))),
                                  "got [MoveTo, LineTo]"),
    "ClosePath count 2": (tile(layer(feature(type=POLYGON, geometry=geom(*SQUARE)[:-1] + [
        7 | 2 << 3]))), "ClosePath count is 2"),
    "empty polygon geometry": (polygon_tile(), "geometry is empty"),
    # polygon rings
    "exterior ring counter-clockwise": (polygon_tile(*ring((0, 0), (0, 100), (100, 100),
                                                           (100, 0))), "first ring has negative"),
    "interior ring first": (polygon_tile(*HOLE, *SQUARE), "first ring has negative"),
    "zero-area ring": (polygon_tile(*ring((0, 0), (10, 10), (20, 20))), "ring #0 has zero area"),
    "ring repeats first vertex": (polygon_tile(*ring((0, 0), (100, 0), (100, 100), (0, 0))),
                                  "ring #0 repeats its first vertex"),
    "coordinates outside extent and buffer": (point_with(geometry=geom(("M", (5000, 10)))),
                                              "1 vertices outside [-256, 4352]"),
    "geometry value over uint32": (point_with(geometry=[9, 2**32, 2]), "does not fit in uint32"),
}


@pytest.mark.parametrize(("data", "expected"), BROKEN.values(), ids=BROKEN.keys())
def test_broken_tiles_are_reported(data, expected):
    problems = check_tile(data)
    assert any(expected in p for p in problems), problems
    with pytest.raises(AssertionError, match="invalid vector tile"):
        assert_valid_tile(data)
