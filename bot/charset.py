"""Decode an HTML or XML body to text: BOM, then the HTTP header, then the document's own
declaration, then UTF-8, then Windows-1252 (what browsers fall back to)."""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)


def _known(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def declared_charset(body: bytes) -> str | None:
    """The charset a page declares in its first 4 KiB (meta tag or XML declaration)."""
    found = _META.search(body[:4096])
    if not found:
        return None
    return _known((found.group(1) or found.group(2)).decode("ascii", "ignore"))


def decode_body(body: bytes, header_charset: str | None = None) -> str:
    """Turn a fetched body into text without ever raising."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace")
    for candidate in (_known(header_charset), declared_charset(body)):
        if candidate:
            try:
                return body.decode(candidate)
            except UnicodeDecodeError:
                continue
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")
