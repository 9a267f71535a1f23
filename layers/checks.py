"""Per-property checks compiled from the simple JSON Schema keywords that layer schemas use
(type, enum, lengths, bounds): the answer jsonschema gives, without its per-call machinery,
which was half of an import's validation time on a column of unique names, and 40 % of a batch
upsert's. A property schema with any other assertion keyword gets no compiled check (the caller
uses jsonschema). A check says valid or not; jsonschema words the reasons."""
import math
from collections.abc import Callable

from jsonschema import Draft202012Validator

# Keywords that assert nothing (draft 2020-12 annotations) and the project's own `x-` marks.
ANNOTATIONS = {"title", "description", "default", "examples", "$comment", "deprecated",
               "readOnly", "writeOnly"}
COMPILED = {"type", "enum", "minLength", "maxLength", "minimum", "maximum",
            "exclusiveMinimum", "exclusiveMaximum"}
TYPES = {"string", "integer", "number", "boolean", "null"}
# Keywords of a layer's object schema that per-property checks can answer together.
OBJECT_KEYWORDS = {"type", "properties", "required", "additionalProperties", "$schema", "title",
                   "description", "$id", "x-public"}


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _type_test(kind: str) -> Callable[[object], bool]:
    return {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (
            isinstance(v, float) and v.is_integer()),
        "number": _is_number,
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
    }[kind]


def _enum_key(value):
    """What JSON Schema's enum compares: booleans are not the numbers 0 and 1; 1 equals 1.0."""
    if isinstance(value, bool):
        return ("bool", value)
    if _is_number(value):
        return ("number", value)
    return (type(value).__name__, value)


def compiled_check(spec: dict) -> Callable[[object], bool] | None:
    """A predicate equal to `Draft202012Validator(spec).is_valid` for the keywords above, or
    None when the spec uses any other assertion."""
    if not isinstance(spec, dict):
        return None
    for keyword in spec:
        if keyword not in COMPILED and keyword not in ANNOTATIONS and not keyword.startswith("x-"):
            return None
    type_test = None
    kind = spec.get("type")
    if kind is not None:
        kinds = kind if isinstance(kind, list) else [kind]
        if not kinds or any(k not in TYPES for k in kinds):
            return None
        tests = tuple(_type_test(k) for k in kinds)
        type_test = tests[0] if len(tests) == 1 else (lambda v: any(t(v) for t in tests))
    keys = None
    if "enum" in spec:
        members = spec["enum"]
        if not isinstance(members, list) or any(
                not (m is None or isinstance(m, (str, bool, int, float))) for m in members):
            return None
        keys = {_enum_key(m) for m in members}
    bounds = {k: spec[k] for k in ("minimum", "maximum", "exclusiveMinimum",
                                   "exclusiveMaximum") if k in spec}
    if any(not _is_number(b) or not math.isfinite(b) for b in bounds.values()):
        return None
    lengths = {k: spec[k] for k in ("minLength", "maxLength") if k in spec}
    if any(not isinstance(n, int) or isinstance(n, bool) for n in lengths.values()):
        return None
    low, high = lengths.get("minLength", 0), lengths.get("maxLength")

    def check(value) -> bool:
        if type_test is not None and not type_test(value):
            return False
        if keys is not None and _hashable_key(value) not in keys:
            return False
        if bounds and _is_number(value) and not _within(value, bounds):
            return False
        if lengths and isinstance(value, str):
            return len(value) >= low and (high is None or len(value) <= high)
        return True
    return check


def _hashable_key(value):
    try:
        key = _enum_key(value)
        hash(key)
        return key
    except TypeError:  # a list or an object is never one of our scalar enum members
        return None


def _within(value, bounds: dict) -> bool:
    if "minimum" in bounds and value < bounds["minimum"]:
        return False
    if "maximum" in bounds and value > bounds["maximum"]:
        return False
    if "exclusiveMinimum" in bounds and value <= bounds["exclusiveMinimum"]:
        return False
    return not ("exclusiveMaximum" in bounds and value >= bounds["exclusiveMaximum"])


def property_checks(schema: dict, fallback: Callable[[object], Callable[[object], bool]] | None
                    = None) -> dict[str, Callable[[object], bool]] | None:
    """A check per property of an object schema: compiled when its keywords allow, else
    `fallback(spec)` (by default its own jsonschema validator's is_valid); or None when the
    object schema itself needs the full validator."""
    if not isinstance(schema, dict) or set(schema) - OBJECT_KEYWORDS or not isinstance(
            schema.get("additionalProperties", True), bool):
        return None
    specs = schema.get("properties", {})
    if not isinstance(specs, dict):
        return None
    fallback = fallback or (lambda spec: Draft202012Validator(spec).is_valid)
    return {name: compiled_check(spec) or fallback(spec) for name, spec in specs.items()}


def object_check(schema: dict) -> Callable[[dict], bool] | None:
    """A predicate equal to `Draft202012Validator(schema).is_valid` for an object (a dict) under
    a layer's object schema, or None when `property_checks` declines the schema."""
    checks = property_checks(schema)
    return None if checks is None else object_predicate(schema, checks)


def object_predicate(schema: dict, checks: dict[str, Callable[[object], bool]]
                     ) -> Callable[[dict], bool]:
    """The object's answer from its properties' `checks` (as `property_checks` gives them):
    required names present, no name the schema closes out, each value passing its check."""
    required = tuple(schema.get("required", ()))
    closed = schema.get("additionalProperties", True) is False

    def check(properties: dict) -> bool:
        for name in required:
            if name not in properties:
                return False
        for name, value in properties.items():
            test = checks.get(name)
            if test is None:
                if closed:
                    return False
            elif not test(value):
                return False
        return True
    return check
