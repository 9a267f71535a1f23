"""Checks shared by the Open311 tests: the GeoReport v2 JSON Schemas (our copy under
tests/standards/), the XML structure the spec names, and the spec's error answers."""
import json
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "standards" / "open311-georeport-v2"
BASE = "/open311/v2"


def _load(name: str) -> dict:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def _registry() -> Registry:
    resources = [(name, Resource.from_contents(_load(name), default_specification=DRAFT202012))
                 for name in ("services.json", "service.json", "service-definition.json",
                              "requests.json", "request.json")]
    return Registry().with_resources(resources)


REGISTRY = _registry()
SWAGGER = _load("swagger.json")
# POST requests and GET tokens have no schema file: the Swagger description's definitions.
EXTRA = {
    "post-response.json": {"type": "array", "minItems": 1,
                           "items": SWAGGER["definitions"]["RequestResponse"]},
    "tokens.json": {"type": "array", "minItems": 1,
                    "items": SWAGGER["definitions"]["TokenResponse"]},
    # The spec's error list (no schema is published for it).
    "errors.json": {"type": "array", "minItems": 1, "items": {
        "type": "object", "required": ["code", "description"], "additionalProperties": False,
        "properties": {"code": {"type": "integer"}, "description": {"type": "string",
                                                                     "minLength": 1}}}},
}


def validate(schema_name: str, instance) -> None:
    """Validate against a schema of the kit (by file name) or one of EXTRA."""
    schema = EXTRA.get(schema_name) or _load(schema_name)
    validator = jsonschema.Draft202012Validator(
        schema, registry=REGISTRY, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    validator.validate(instance)
    if schema_name in ("requests.json", "request.json"):
        for request in instance if isinstance(instance, list) else [instance]:
            check_times(request)


def check_times(request: dict) -> None:
    """ISO 8601 with the Vietnam offset (the schema's date-time format is not enforced)."""
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        value = request.get(name)
        if value is not None:
            assert value.endswith("+07:00"), (name, value)
            assert datetime.fromisoformat(value).utcoffset().total_seconds() == 7 * 3600


def xml_items(response, root: str, item: str | None) -> ElementTree.Element:
    """Parse an XML answer (well-formed, UTF-8 declared) and check root/item element names."""
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    body = response.content
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    element = ElementTree.fromstring(body)
    assert element.tag == root, element.tag
    if item is not None:
        assert all(child.tag == item for child in element), [c.tag for c in element]
    return element


def json_body(response):
    """The JSON answer (and its content type)."""
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def assert_spec_error(response, status: int, fmt: str = "json") -> list[dict]:
    """A spec error answer: status, content type and the errors list; returns the entries."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    if fmt == "xml":
        root = xml_items(response, "errors", "error")
        entries = [{"code": int(e.findtext("code")), "description": e.findtext("description")}
                   for e in root]
    else:
        entries = json_body(response)
    validate("errors.json", entries)
    assert all(entry["code"] == status for entry in entries)
    return entries
