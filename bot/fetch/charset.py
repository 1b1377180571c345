"""Decode an HTML or XML body to text: BOM, then the HTTP header, then the document's own
declaration, then UTF-8, then statistical detection, then Windows-1252 (the browser default).

A header that claims a single-byte Western charset (Latin-1, Windows-1252, ASCII) over a body
that is valid multi-byte UTF-8 is wrong far more often than valid UTF-8 happens by accident, so
UTF-8 wins there.
"""

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
_SINGLE_BYTE_WESTERN = frozenset({"latin-1", "iso8859-1", "cp1252", "ascii", "iso8859-15"})
_DETECT_BYTES = 64_000
_DETECT_MIN_NON_ASCII = 32  # below this, detection guesses; Windows-1252 is the safer default


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


def _utf8(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _detected(body: bytes) -> str | None:
    """charset_normalizer's best guess for a body that is not UTF-8, or None."""
    from charset_normalizer import from_bytes

    sample = body[:_DETECT_BYTES]
    if sum(1 for byte in sample if byte > 0x7F) < _DETECT_MIN_NON_ASCII:
        return None

    best = from_bytes(sample).best()
    return _known(best.encoding) if best is not None else None


def decode_body(body: bytes, header_charset: str | None = None) -> str:
    """Turn a fetched body into text without ever raising."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace")
    for candidate in (_known(header_charset), declared_charset(body)):
        if not candidate:
            continue
        if candidate in _SINGLE_BYTE_WESTERN and not body.isascii():
            as_utf8 = _utf8(body)
            if as_utf8 is not None:
                return as_utf8
        try:
            return body.decode(candidate)
        except UnicodeDecodeError:
            continue
    as_utf8 = _utf8(body)
    if as_utf8 is not None:
        return as_utf8
    detected = _detected(body)
    if detected:
        try:
            return body.decode(detected)
        except UnicodeDecodeError:
            pass
    return body.decode("cp1252", errors="replace")
