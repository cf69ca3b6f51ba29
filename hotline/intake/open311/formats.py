"""Open311's two formats: JSON (lists as top-level arrays) and XML (the Spark convention:
a root element, one element per item, child lists named in the plural with singular items).
"""

from __future__ import annotations

import json
from datetime import datetime
from xml.etree import ElementTree

from django.http import HttpResponse

from hotline.deadlines.calendar import local

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}

# The element of one item in each list, in XML.
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "attributes": "attribute",
    "values": "value",
    "notes": "note",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


def w3c(moment: datetime | None) -> str | None:
    """A datetime as the spec writes it: local time with its offset (+08:00)."""
    return local(moment).isoformat(timespec="seconds") if moment else None


def respond(data, root: str, fmt: str, status: int = 200) -> HttpResponse:
    """``data`` (a list, or a dict for a single document) in ``fmt`` under ``root``."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, default=str)
    else:
        body = to_xml(root, data)
    return HttpResponse(body, content_type=FORMATS[fmt], status=status)


def to_xml(root: str, data) -> str:
    element = ElementTree.Element(root)
    fill(element, root, data)
    text = ElementTree.tostring(element, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{text}'


def fill(element: ElementTree.Element, tag: str, value) -> None:
    if isinstance(value, list):
        item = ITEMS.get(tag, "item")
        for entry in value:
            fill(ElementTree.SubElement(element, item), item, entry)
    elif isinstance(value, dict):
        for key, entry in value.items():
            fill(ElementTree.SubElement(element, xml_name(key)), key, entry)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = clean(str(value))


def xml_name(key: str) -> str:
    """A dict key as an element name (attribute codes are slugs; anything else is kept
    readable and valid)."""
    name = "".join(c if c.isalnum() or c in "_-." else "_" for c in str(key)) or "_"
    return name if name[0].isalpha() or name[0] == "_" else f"_{name}"


def clean(text: str) -> str:
    """Text without the control characters XML 1.0 cannot carry."""
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 32)


def errors(status: int, description: str, fmt: str) -> HttpResponse:
    """The spec's error list: ``[{"code": 400, "description": "…"}]``."""
    return respond([{"code": status, "description": description}], "errors", fmt, status)
