"""layers/checks.py answers exactly what jsonschema answers, value for value, for every
schema it compiles; and it declines the keywords it does not know (jsonschema answers those)."""
import itertools
import math

import pytest
from jsonschema import Draft202012Validator

from layers.checks import compiled_check

SPECS = [
    {"type": "string"},
    {"type": "string", "minLength": 1, "x-public": True, "title": "Tên"},
    {"type": "string", "minLength": 2, "maxLength": 4},
    {"type": ["string", "null"], "maxLength": 3},
    {"type": "string", "enum": ["BV", "TYT", "PK"]},
    {"enum": [1, "1", True, None]},
    {"enum": [0, 2.5]},
    {"type": "integer"},
    {"type": "integer", "minimum": 0},
    {"type": "integer", "minimum": 0, "maximum": 10},
    {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
    {"type": "number", "minimum": -1.5, "description": "x"},
    {"type": ["integer", "null"], "maximum": 3},
    {"type": "boolean"},
    {"type": ["boolean", "string"], "enum": [True, "có"]},
    {"minimum": 5},
    {"maxLength": 1},
    {},
]
VALUES = ["", "a", "ab", "abcd", "abcde", "BV", "bv", "TYT", "1", "có", "Trạm y tế", "𝔸𝔹",
          0, 1, 2, 3, 5, 10, 11, -1, -2, 2**70, 0.0, 0.5, 1.0, 2.5, 3.0, -1.5, -1.6, 1e308,
          math.inf, -math.inf, True, False, None, [], [1], {}, {"a": 1}]


@pytest.mark.parametrize("spec", SPECS, ids=[str(s) for s in SPECS])
def test_compiled_checks_answer_as_jsonschema(spec):
    check = compiled_check(spec)
    assert check is not None
    reference = Draft202012Validator(spec)
    differ = [v for v in VALUES if check(v) != reference.is_valid(v)]
    assert differ == []


@pytest.mark.parametrize("spec", [
    {"type": "string", "pattern": "^[0-9]{5}$"}, {"type": "string", "format": "date"},
    {"type": "array", "items": {"type": "string"}}, {"type": "object"},
    {"enum": [[1, 2]]}, {"minimum": "5"}, {"maxLength": 1.5}, {"type": "strin"},
    {"anyOf": [{"type": "string"}, {"type": "null"}]}, {"const": 1}])
def test_other_keywords_are_left_to_jsonschema(spec):
    assert compiled_check(spec) is None


def test_the_mapper_takes_the_compiled_checks_and_still_reports_jsonschemas_reasons():
    """A row failing a compiled check is reported with jsonschema's message."""
    from types import SimpleNamespace

    from integration.mapping import PropertyMapper

    schema = {"type": "object", "additionalProperties": False, "required": ["kind"],
              "properties": {"kind": {"type": "string", "enum": ["BV", "TYT"]},
                             "beds": {"type": "integer", "minimum": 0},
                             "code": {"type": "string", "pattern": "^[0-9]{5}$"}}}
    layer = SimpleNamespace(property_schema=schema, slug="t")
    columns = {"loai": ["BV", "XX", "TYT", "BV"], "giuong": [3, 4, -1, 2],
               "ma": ["38378", "38378", "38378", "3837"]}
    table = SimpleNamespace(column=columns.get, columns=columns)
    connector = SimpleNamespace(field_mapping={"kind": "loai", "beds": "giuong", "code": "ma"})
    mapper = PropertyMapper(connector, layer, table)
    assert mapper.fast["kind"].__module__ == "layers.checks"
    assert mapper.fast["code"].__module__ == "integration.mapping"  # pattern: jsonschema
    rows = [mapper.row(i) for i in range(4)]
    assert rows[0] == ({"kind": "BV", "beds": 3, "code": "38378"}, [])
    assert [errors for _, errors in rows[1:]] == [
        ["kind: 'XX' is not one of ['BV', 'TYT']"], ["beds: -1 is less than the minimum of 0"],
        ["code: '3837' does not match '^[0-9]{5}$'"]]


def test_compiled_and_jsonschema_agree_on_every_pair_of_bounds():
    for low, high in itertools.product([None, 0, 1.5], [None, 1.5, 3]):
        spec = {"type": "number"}
        if low is not None:
            spec["minimum"] = low
        if high is not None:
            spec["exclusiveMaximum"] = high
        check, reference = compiled_check(spec), Draft202012Validator(spec)
        assert [check(v) for v in VALUES] == [reference.is_valid(v) for v in VALUES], spec
