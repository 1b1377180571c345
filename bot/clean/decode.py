"""Decode the bytes of a page or feed to text, one policy for the fetch path and ``bot.extract``.

The order: a byte-order mark; then the HTTP header's charset; then the document's own
declaration (``<meta charset>`` or ``<?xml encoding>``, in its first 8 KiB); then UTF-8; then
statistical detection (enough non-ASCII bytes only); then Windows-1252, the browser default.
Never raises: a charset that does not fit the bytes is skipped, and the last resort replaces
what it cannot read with U+FFFD.

Two corrections, both as browsers do:
- a header or declaration claiming a single-byte Western charset (Latin-1, Windows-1252,
  ASCII) over a body that is valid multi-byte UTF-8 is wrong far more often than valid UTF-8
  happens by accident, so UTF-8 wins there;
- a declaration read as ASCII cannot be UTF-16 or UTF-32 (those would not be readable as
  ASCII), so such a declaration means UTF-8.

It lives in ``bot.clean`` (pure) so that ``bot.fetch`` (a higher layer) and the cleaner share it.
"""

from __future__ import annotations

import codecs
import re

_BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)"""
    rb"""|<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
_DECLARATION_BYTES = 8192
_SINGLE_BYTE_WESTERN = frozenset({"latin-1", "iso8859-1", "cp1252", "ascii", "iso8859-15"})
_WIDE = frozenset({"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})
_DETECT_BYTES = 64_000
_DETECT_MIN_NON_ASCII = 32  # below this, detection guesses; Windows-1252 is the safer default


def _known(name: str | None) -> str | None:
    """The codec's canonical name, or ``None`` for an empty or unknown name."""
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def declared_charset(body: bytes) -> str | None:
    """The charset a document declares in its first 8 KiB (meta tag or XML declaration)."""
    found = _DECLARED.search(body[:_DECLARATION_BYTES])
    if not found:
        return None
    name = _known((found.group(1) or found.group(2)).decode("ascii", "ignore"))
    return "utf-8" if name in _WIDE else name


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


def decode_html(raw: bytes | str, header_charset: str | None = None) -> str:
    """The page as text (``raw`` already text is returned as is); never raises."""
    if isinstance(raw, str):
        return raw
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return raw[len(bom) :].decode(name, errors="replace")
    for candidate in (_known(header_charset), declared_charset(raw)):
        if not candidate:
            continue
        if candidate in _SINGLE_BYTE_WESTERN and not raw.isascii():
            as_utf8 = _utf8(raw)
            if as_utf8 is not None:
                return as_utf8
        try:
            return raw.decode(candidate)
        except (UnicodeDecodeError, LookupError):  # LookupError: base64, rot13 (not text)
            continue
    as_utf8 = _utf8(raw)
    if as_utf8 is not None:
        return as_utf8
    detected = _detected(raw)
    if detected:
        try:
            return raw.decode(detected)
        except (UnicodeDecodeError, LookupError):
            pass
    return raw.decode("cp1252", errors="replace")
