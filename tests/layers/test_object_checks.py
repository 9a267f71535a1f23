"""layers/checks.py `object_check`: a layer's whole property object judged as jsonschema judges
it (required, closed or open objects, compiled and fallback property checks), for every object
built from a spread of values; schemas it cannot answer are declined."""
import itertools
import math

import pytest
from jsonschema import Draft202012Validator

from layers.checks import object_check

PROPERTIES = {
    "name": {"type": "string", "minLength": 1, "x-public": True},
    "kind": {"type": "string", "enum": ["BV", "TYT", "PK"], "x-public": True},
    "beds": {"type": "integer", "minimum": 0, "x-public": False},
    "code": {"type": "string", "pattern": "^[0-9]{5}$", "x-public": True},  # jsonschema's
    "note": True,  # a boolean schema
}
SCHEMAS = [
    {"type": "object", "properties": PROPERTIES},
    {"type": "object", "properties": PROPERTIES, "required": ["name", "kind"]},
    {"type": "object", "properties": PROPERTIES, "required": ["name"],
     "additionalProperties": False, "title": "Trạm y tế", "$schema":
         "https://json-schema.org/draft/2020-12/schema"},
    {"type": "object", "properties": {}, "additionalProperties": False},
    {"type": "object"},
]
VALUES = [None, "", "x", "BV", "tyt", "38378", "3837", 0, 3, -1, 2.0, 2.5, True, math.inf, [],
          {"a": 1}]


def _objects():
    names = ["name", "kind", "beds", "code", "note", "extra"]
    for size in (0, 1, 2):
        for keys in itertools.combinations(names, size):
            for values in itertools.product(VALUES, repeat=size):
                yield dict(zip(keys, values))
    yield {"name": "Trạm y tế Sầm Sơn", "kind": "TYT", "beds": 12, "code": "38378", "note": [1]}
    yield {"name": "Trạm", "kind": "TYT", "beds": 12, "code": "38378", "extra": 1}


@pytest.mark.parametrize("schema", SCHEMAS, ids=range(len(SCHEMAS)))
def test_object_check_answers_as_jsonschema(schema):
    check = object_check(schema)
    assert check is not None
    reference = Draft202012Validator(schema)
    objects = list(_objects())
    differ = [obj for obj in objects if check(obj) != reference.is_valid(obj)]
    assert differ == []
    assert any(check(obj) for obj in objects)  # both answers are reached
    assert schema == {"type": "object"} or not all(check(obj) for obj in objects)


@pytest.mark.parametrize("schema", [
    {"type": "object", "properties": PROPERTIES, "patternProperties": {"^x": {}}},
    {"type": "object", "properties": PROPERTIES, "minProperties": 1},
    {"type": "object", "properties": PROPERTIES, "additionalProperties": {"type": "string"}},
    {"type": "object", "properties": PROPERTIES, "$defs": {"a": {}}},
    {"type": "object", "properties": ["name"]},
])
def test_schemas_it_cannot_answer_are_declined(schema):
    assert object_check(schema) is None
