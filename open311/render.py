"""JSON and XML answers from one description of each document, so the two formats cannot
drift: the JSON body is the spec's array (or object), the XML wraps the same values in the
spec's element names (services/service, service_requests/request, errors/error, …)."""
import json
import re
from dataclasses import dataclass
from xml.etree import ElementTree

from django.http import HttpResponse

JSON, XML = "json", "xml"
CONTENT_TYPES = {JSON: "application/json; charset=utf-8", XML: "text/xml; charset=utf-8"}
# XML element of each entry of a list-valued field.
LIST_ITEMS = {"attributes": "attribute", "values": "value", "endpoints": "endpoint",
              "formats": "format"}
# Characters XML 1.0 cannot carry at all (control characters other than tab, CR, LF).
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(frozen=True)
class Document:
    """An answer: XML root element `root`; a list body puts each entry in an `item` element."""

    root: str
    body: list | dict
    item: str | None = None


def services(items: list[dict]) -> Document:
    return Document("services", items, "service")


def service_definition(definition: dict) -> Document:
    return Document("service_definition", definition)


def service_requests(items: list[dict]) -> Document:
    return Document("service_requests", items, "request")


def errors(items: list[dict]) -> Document:
    return Document("errors", items, "error")


def discovery(document: dict) -> Document:
    return Document("discovery", document)


def _fill(element: ElementTree.Element, value) -> None:
    if isinstance(value, dict):
        for name, child in value.items():
            _fill(ElementTree.SubElement(element, name), child)
    elif isinstance(value, list):
        for child in value:
            _fill(ElementTree.SubElement(element, LIST_ITEMS[element.tag]), child)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:  # None: an empty element
        element.text = NOT_XML.sub("\ufffd", str(value))


def to_xml(document: Document) -> bytes:
    """The document as UTF-8 XML with the declaration the spec asks for."""
    root = ElementTree.Element(document.root)
    if isinstance(document.body, list):
        for entry in document.body:
            _fill(ElementTree.SubElement(root, document.item), entry)
    else:
        _fill(root, document.body)
    return DECLARATION + ElementTree.tostring(root, encoding="unicode").encode()


def to_json(document: Document) -> bytes:
    return json.dumps(document.body, ensure_ascii=False, allow_nan=False).encode()


def response(document: Document, fmt: str, *, status: int = 200,
             headers: dict[str, str] | None = None) -> HttpResponse:
    """The HTTP answer in `fmt` (json or xml)."""
    content = to_xml(document) if fmt == XML else to_json(document)
    return HttpResponse(content, status=status, content_type=CONTENT_TYPES[fmt],
                        headers=headers)
