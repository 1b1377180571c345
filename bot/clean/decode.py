"""Turn the bytes of a fetched page into text: byte-order mark, then <meta> charset, else UTF-8."""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_html(raw: bytes | str) -> str:
    """The page as text; undecodable bytes become U+FFFD rather than an error."""
    if isinstance(raw, str):
        return raw
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return raw[len(bom) :].decode(encoding, errors="replace")
    match = _META_CHARSET.search(raw[:8192])
    if match:
        name = match.group(1).decode("ascii", "ignore")
        try:
            info = codecs.lookup(name)
        except LookupError:
            info = None
        if info is not None and info.name not in ("utf-16", "utf-32"):
            return raw.decode(info.name, errors="replace")
    return raw.decode("utf-8", errors="replace")
