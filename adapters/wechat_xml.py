"""Read a WeChat XML document safely: one flat `<xml>` element, no entities, no repeated fields."""

from __future__ import annotations

from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict

from bot.errors import PayloadInvalid


def read_xml(raw: bytes | str) -> dict[str, Any]:
    """The fields of a WeChat `<xml>` document; anything else is PayloadInvalid.

    xmltodict refuses entity declarations (no XXE, no billion laughs); a repeated element would come
    back as a list and then be read as one string by wechatpy, so it is refused here.
    """
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        document = xmltodict.parse(text)
    except (ExpatError, ValueError, UnicodeDecodeError) as exc:
        raise PayloadInvalid(f"malformed XML: {exc}") from exc
    root = document.get("xml") if isinstance(document, dict) else None
    if not isinstance(root, dict):
        raise PayloadInvalid("the body is not a WeChat <xml> document")
    repeated = sorted(name for name, value in root.items() if isinstance(value, list))
    if repeated:
        raise PayloadInvalid(f"repeated fields: {', '.join(repeated)}")
    return dict(root)


def text_field(fields: dict[str, Any], name: str) -> str:
    """A text field, '' when absent; a nested element where text belongs is malformed."""
    value = fields.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PayloadInvalid(f"field {name} is not text")
    return value
