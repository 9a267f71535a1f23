"""A strict Mapbox Vector Tile 2.1 checker for tile tests.

Pure Python on purpose: the wire format is small enough to parse by hand, and a hand parser can
report what a protobuf library silently accepts (wrong wire types, truncation, unknown fields).
Spec: https://github.com/mapbox/vector-tile-spec/tree/master/2.1

Not checked: ring self-intersection and interior rings lying inside their exterior ring.
"""

import struct
from collections import Counter

GZIP_MAGIC = b"\x1f\x8b"
DEFAULT_EXTENT = 4096
POINT, LINESTRING, POLYGON = 1, 2, 3
GEOM_TYPES = {POINT: "POINT", LINESTRING: "LINESTRING", POLYGON: "POLYGON"}
MOVE_TO, LINE_TO, CLOSE_PATH = 1, 2, 7
COMMAND_NAMES = {MOVE_TO: "MoveTo", LINE_TO: "LineTo", CLOSE_PATH: "ClosePath"}

VARINT, FIXED64, LEN, FIXED32 = 0, 1, 2, 5
UINT32_MAX = 2**32 - 1

# Per message: field number -> (name, wire type), and the field numbers reserved for extensions
# in vector_tile.proto (anything else unknown is a violation).
TILE = ({3: ("layers", LEN)}, range(16, 8192))
LAYER = ({15: ("version", VARINT), 1: ("name", LEN), 2: ("features", LEN), 3: ("keys", LEN),
          4: ("values", LEN), 5: ("extent", VARINT)}, range(16, 2**29))
FEATURE = ({1: ("id", VARINT), 2: ("tags", LEN), 3: ("type", VARINT), 4: ("geometry", LEN)}, ())
VALUE = ({1: ("string_value", LEN), 2: ("float_value", FIXED32), 3: ("double_value", FIXED64),
          4: ("int_value", VARINT), 5: ("uint_value", VARINT), 6: ("sint_value", VARINT),
          7: ("bool_value", VARINT)}, range(8, 2**29))


class MalformedTile(ValueError):
    """The bytes are not well-formed protobuf, so nothing after the fault can be read."""


def check_tile(data: bytes, *, buffer: int = 256) -> list[str]:
    """Return every MVT 2.1 violation in raw (not gzipped) tile bytes; empty means valid.

    Coordinates must lie within [-buffer, extent + buffer] on both axes.
    """
    if data[:2] == GZIP_MAGIC:
        return ["tile is gzipped (starts with 1f 8b); gunzip it before checking"]
    problems: list[str] = []
    try:
        _decode_tile(data, buffer, problems)
    except MalformedTile as exc:
        problems.append(f"malformed protobuf: {exc}")
    return problems


def assert_valid_tile(data: bytes, *, buffer: int = 256) -> None:
    """Raise AssertionError listing every violation if the tile is not valid MVT 2.1."""
    problems = check_tile(data, buffer=buffer)
    if problems:
        raise AssertionError("invalid vector tile:\n  " + "\n  ".join(problems))


def decode_layers(data: bytes) -> dict[str, dict]:
    """Decode a tile into {layer name: layer} without judging it (use check_tile for that).

    A layer is {version, extent, keys, values, features}; a feature is {id, type, tags,
    properties, geometry}. Geometry is in tile coordinates: a list of (x, y) for POINT, a list
    of lines for LINESTRING and a list of closed rings (first vertex repeated) for POLYGON.
    Raises ValueError if the bytes are gzipped or not well-formed protobuf. Of layers sharing
    a name, the last one wins.
    """
    if data[:2] == GZIP_MAGIC:
        raise ValueError("tile is gzipped; gunzip it first")
    layers = _decode_tile(data, buffer=2**31, problems=[])
    return {layer.pop("name"): layer for layer in layers}


def _decode_tile(data: bytes, buffer: int, problems: list[str]) -> list[dict]:
    fields = _read_message(data, TILE, "tile", problems)
    layers = [_decode_layer(raw, i, buffer, problems) for i, raw in enumerate(fields["layers"])]
    for name, n in _repeated(layer["name"] for layer in layers):
        problems.append(f"tile: layer name {name!r} is used by {n} layers")
    return layers


def _decode_layer(raw: bytes, index: int, buffer: int, problems: list[str]) -> dict:
    where = f"layer #{index}"
    fields = _read_message(raw, LAYER, where, problems)
    name = _utf8(_single(fields, "name", where, problems) or b"", f"{where} name", problems)
    if not fields["name"]:
        problems.append(f"{where}: has no name")
    elif not name:
        problems.append(f"{where}: name is empty")
    else:
        where = f"layer {name!r}"
    version = _single(fields, "version", where, problems)
    if version is None:
        problems.append(f"{where}: has no version field")
    elif version != 2:
        problems.append(f"{where}: version is {version}, expected 2")
    extent = _single(fields, "extent", where, problems)
    extent = DEFAULT_EXTENT if extent is None else extent
    if extent == 0:
        problems.append(f"{where}: extent must be greater than 0")
    keys = [_utf8(k, f"{where} key #{i}", problems) for i, k in enumerate(fields["keys"])]
    for key, n in _repeated(keys):
        problems.append(f"{where}: key {key!r} appears {n} times in keys")
    values = [_decode_value(v, f"{where} value #{i}", problems)
              for i, v in enumerate(fields["values"])]
    bounds = (-buffer, extent + buffer)
    features = [_decode_feature(f, f"{where} feature #{i}", keys, values, bounds, problems)
                for i, f in enumerate(fields["features"])]
    for fid, n in _repeated(f["id"] for f in features if f["id"] is not None):
        problems.append(f"{where}: feature id {fid} is used by {n} features")
    return {"name": name, "version": version, "extent": extent, "keys": keys,
            "values": values, "features": features}


def _decode_value(raw: bytes, where: str, problems: list[str]):
    fields = _read_message(raw, VALUE, where, problems)
    present = [(name, v) for name, found in fields.items() for v in found]
    if len(present) != 1:
        problems.append(f"{where}: has {len(present)} value fields, expected exactly one")
    if not present:
        return None
    name, v = present[-1]
    if name == "string_value":
        return _utf8(v, where, problems)
    if name in ("float_value", "double_value"):
        return struct.unpack("<f" if name == "float_value" else "<d", v)[0]
    if name == "int_value":  # int64 is two's complement in a 64-bit varint
        return v - 2**64 if v >= 2**63 else v
    if name == "sint_value":
        return _unzigzag(v)
    return bool(v) if name == "bool_value" else v


def _decode_feature(raw, where, keys, values, bounds, problems) -> dict:
    fields = _read_message(raw, FEATURE, where, problems)
    fid = _single(fields, "id", where, problems)
    gtype = _single(fields, "type", where, problems)
    if gtype not in GEOM_TYPES:
        found = "missing" if gtype is None else gtype
        problems.append(f"{where}: type is {found}, expected POINT(1), LINESTRING(2) or POLYGON(3)")
    # A packed field may legally arrive in several chunks; protobuf concatenates them.
    tags = _packed(b"".join(fields["tags"]), f"{where} tags", problems)
    properties = _properties(tags, keys, values, where, problems)
    if not fields["geometry"]:
        problems.append(f"{where}: has no geometry field")
    ints = _packed(b"".join(fields["geometry"]), f"{where} geometry", problems)
    geometry = _geometry(_commands(ints, where, problems), gtype, bounds, where, problems)
    return {"id": fid, "type": gtype, "tags": tags, "properties": properties,
            "geometry": geometry}


def _properties(tags, keys, values, where, problems) -> dict:
    if len(tags) % 2:
        problems.append(f"{where}: tags has odd length {len(tags)}")
    properties = {}
    for k, v in zip(tags[::2], tags[1::2]):
        if k >= len(keys) or v >= len(values):
            problems.append(f"{where}: tag pair ({k}, {v}) out of range for "
                            f"{len(keys)} keys and {len(values)} values")
        elif keys[k] in properties:
            problems.append(f"{where}: key {keys[k]!r} appears twice in tags")
        else:
            properties[keys[k]] = values[v]
    return properties


def _commands(ints: list[int], where: str, problems: list[str]) -> list[tuple[int, list]]:
    """Split the geometry stream into (command id, absolute points), checking its encoding."""
    commands, i, x, y = [], 0, 0, 0
    while i < len(ints):
        cid, count = ints[i] & 0x7, ints[i] >> 3
        i += 1
        if cid not in COMMAND_NAMES:
            problems.append(f"{where}: unknown command id {cid} in geometry")
            break
        if cid == CLOSE_PATH:
            if count != 1:
                problems.append(f"{where}: ClosePath count is {count}, expected 1")
            commands.append((cid, []))
            continue
        if count == 0:
            problems.append(f"{where}: {COMMAND_NAMES[cid]} has count 0")
        if i + 2 * count > len(ints):
            problems.append(f"{where}: {COMMAND_NAMES[cid]} x{count} needs {2 * count} "
                            f"parameters, {len(ints) - i} left")
            break
        points = []
        for dx, dy in zip(ints[i:i + 2 * count:2], ints[i + 1:i + 2 * count:2]):
            dx, dy = _unzigzag(dx), _unzigzag(dy)
            if cid == LINE_TO and dx == dy == 0:
                problems.append(f"{where}: LineTo with zero length")
            x, y = x + dx, y + dy
            points.append((x, y))
        i += 2 * count
        commands.append((cid, points))
    return commands


def _geometry(commands, gtype, bounds, where, problems) -> list:
    lo, hi = bounds
    outside = [p for _, pts in commands for p in pts if not (lo <= p[0] <= hi and lo <= p[1] <= hi)]
    if outside:
        problems.append(f"{where}: {len(outside)} vertices outside [{lo}, {hi}], "
                        f"first {outside[0]}")
    if gtype == POINT:
        if [cid for cid, _ in commands] != [MOVE_TO]:
            problems.append(f"{where}: POINT geometry must be one MoveTo, got {_names(commands)}")
        return [p for cid, pts in commands if cid == MOVE_TO for p in pts]
    if gtype == LINESTRING:
        return _parts(commands, (MOVE_TO, LINE_TO), 1, where, problems)
    if gtype == POLYGON:
        rings = _parts(commands, (MOVE_TO, LINE_TO, CLOSE_PATH), 2, where, problems)
        _check_rings(rings, where, problems)
        return [ring + ring[:1] for ring in rings]
    return []


def _parts(commands, shape, min_line_to, where, problems) -> list[list]:
    """Split commands into repetitions of `shape`: MoveTo(1), LineTo(>= min_line_to), ..."""
    parts = []
    for start in range(0, len(commands), len(shape)):
        chunk = commands[start:start + len(shape)]
        if tuple(cid for cid, _ in chunk) != shape:
            problems.append(f"{where}: expected {_names([(c, ()) for c in shape])} at command "
                            f"{start}, got {_names(chunk)}")
            break
        (_, move), (_, line) = chunk[0], chunk[1]
        if len(move) != 1:
            problems.append(f"{where}: MoveTo count is {len(move)} in a part, expected 1")
        if len(line) < min_line_to:
            problems.append(f"{where}: LineTo count is {len(line)}, expected >= {min_line_to}")
        parts.append(move + line)
    if not commands:
        problems.append(f"{where}: geometry is empty")
    return parts


def _check_rings(rings: list[list], where: str, problems: list[str]) -> None:
    for n, ring in enumerate(rings):
        area = _surveyor_area(ring)
        if area == 0:
            problems.append(f"{where}: ring #{n} has zero area")
        elif n == 0 and area < 0:
            problems.append(f"{where}: first ring has negative area (interior or wrong winding);"
                            " exterior rings must be clockwise in tile coordinates")
        if len(ring) > 1 and ring[-1] == ring[0]:
            problems.append(f"{where}: ring #{n} repeats its first vertex before ClosePath")


def _surveyor_area(ring: list[tuple[int, int]]) -> float:
    """Shoelace area in tile coordinates (y down): positive for exterior, clockwise on screen."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1])) / 2


def _repeated(items) -> list[tuple]:
    """(item, count) for items that occur more than once, counted in one pass."""
    return sorted((item, n) for item, n in Counter(items).items() if n > 1)


def _names(commands) -> str:
    return "[" + ", ".join(COMMAND_NAMES.get(cid, str(cid)) for cid, _ in commands) + "]"


def _single(fields: dict, name: str, where: str, problems: list[str]):
    """The value of a non-repeated field, or None; protobuf keeps the last of duplicates."""
    found = fields[name]
    if len(found) > 1:
        problems.append(f"{where}: field {name} appears {len(found)} times")
    return found[-1] if found else None


def _utf8(raw: bytes, where: str, problems: list[str]) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        problems.append(f"{where}: string is not valid UTF-8")
        return raw.decode("utf-8", "replace")


def _unzigzag(n: int) -> int:
    return (n >> 1) ^ -(n & 1)


def _packed(raw: bytes, where: str, problems: list[str]) -> list[int]:
    values, pos = [], 0
    while pos < len(raw):
        value, pos = _varint(raw, pos, where)
        values.append(value)
    if any(v > UINT32_MAX for v in values):
        problems.append(f"{where}: value does not fit in uint32")
    return values


def _varint(buf: bytes, pos: int, where: str) -> tuple[int, int]:
    value = 0
    for shift in range(0, 70, 7):
        if pos >= len(buf):
            raise MalformedTile(f"{where}: truncated varint at byte {pos}")
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            if value >= 2**64:
                raise MalformedTile(f"{where}: varint exceeds 64 bits at byte {pos}")
            return value, pos
    raise MalformedTile(f"{where}: varint longer than 10 bytes at byte {pos}")


def _read_message(buf: bytes, schema, where: str, problems: list[str]) -> dict[str, list]:
    """Collect the message's fields by name; wire faults raise, schema faults are reported."""
    known, extensions = schema
    fields = {name: [] for name, _ in known.values()}
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos, where)
        number, wire = key >> 3, key & 0x7
        if number == 0:
            raise MalformedTile(f"{where}: field number 0 at byte {pos}")
        if wire == VARINT:
            value, pos = _varint(buf, pos, where)
        elif wire in (LEN, FIXED64, FIXED32):
            size = {FIXED64: 8, FIXED32: 4}.get(wire)
            if size is None:
                size, pos = _varint(buf, pos, where)
            if pos + size > len(buf):
                raise MalformedTile(f"{where}: field {number} truncated, needs {size} bytes "
                                    f"at byte {pos}, only {len(buf) - pos} left")
            value, pos = buf[pos:pos + size], pos + size
        else:  # 3 and 4 are protobuf groups, which vector_tile.proto never uses; 6, 7 don't exist
            raise MalformedTile(f"{where}: unsupported wire type {wire} for field {number}")
        if number in known:
            name, expected = known[number]
            if wire == expected:
                fields[name].append(value)
            else:
                problems.append(f"{where}: field {name} has wire type {wire}, expected {expected}")
        elif number not in extensions:
            problems.append(f"{where}: unknown field number {number}")
    return fields
