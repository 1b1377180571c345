"""A page read from a local file for ``extract`` and ``match``: gzip is read through, any other
binary file is refused with a one-line reason instead of being parsed as HTML."""

from __future__ import annotations

import gzip

from bot.errors import NewsbotError

BINARY_MAGIC = {
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a zip archive",
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"BZh": "a bzip2 archive",
    b"\xfd7zXZ": "an xz archive",
    b"\x7fELF": "a program",
}


def html_bytes(page: str, body: bytes) -> bytes:
    """The HTML bytes of a local file: gzip is read through; other binary data is refused."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError) as exc:
            raise NewsbotError(f"{page}: not a readable gzip file: {exc}") from exc
    what = next((name for magic, name in BINARY_MAGIC.items() if body.startswith(magic)), None)
    if what is None and b"\x00" in body[:65536] and not body.startswith((b"\xff\xfe", b"\xfe\xff")):
        what = "binary data"
    if what is not None:
        raise NewsbotError(f"{page}: not an HTML page ({what}); give an HTML file or a URL")
    return body
