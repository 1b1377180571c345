"""The one charset policy (bot/clean/decode.py), shared by the fetch path and bot.extract(bytes).

Each case is bytes (and the HTTP header's charset, if any) and the text expected; the two
callers are then shown to use this same function, so the policy is pinned once, here.
"""

from __future__ import annotations

import codecs

import pytest

from bot import extract
from bot.clean.decode import decode_html
from bot.config import FetchSettings
from bot.fetch.client import Fetcher
from tests.fakes.news_server import NewsServer

UKRAINIAN = "Президент Зеленський провів переговори з партнерами щодо безпеки та відновлення."

CASES = [
    # (id, body, header charset, expected text)
    ("utf8-bom", codecs.BOM_UTF8 + "<p>Año</p>".encode(), None, "<p>Año</p>"),
    ("utf16le-bom", codecs.BOM_UTF16_LE + "<p>Año</p>".encode("utf-16-le"), None, "<p>Año</p>"),
    ("utf16be-bom", codecs.BOM_UTF16_BE + "<p>Año</p>".encode("utf-16-be"), None, "<p>Año</p>"),
    ("utf32le-bom", codecs.BOM_UTF32_LE + "<p>Año</p>".encode("utf-32-le"), None, "<p>Año</p>"),
    ("bom-beats-header", codecs.BOM_UTF8 + "<p>Año</p>".encode(), "cp1251", "<p>Año</p>"),
    (
        "header",
        "<p>reunión en París</p>".encode("latin-1"),
        "iso-8859-1",
        "<p>reunión en París</p>",
    ),
    (
        "header-beats-meta",
        '<meta charset="windows-1251"><p>Київ</p>'.encode("koi8-u"),
        "koi8-u",
        '<meta charset="windows-1251"><p>Київ</p>',
    ),
    (
        "meta",
        '<meta charset="windows-1251"><p>Зеленський</p>'.encode("cp1251"),
        None,
        '<meta charset="windows-1251"><p>Зеленський</p>',
    ),
    (
        "meta-http-equiv",
        '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"><p>Öl</p>'.encode(
            "latin-1"
        ),
        None,
        '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"><p>Öl</p>',
    ),
    (
        "xml-declaration",
        '<?xml version="1.0" encoding="windows-1252"?><rss><title>€</title></rss>'.encode("cp1252"),
        None,
        '<?xml version="1.0" encoding="windows-1252"?><rss><title>€</title></rss>',
    ),
    ("unknown-header-then-utf8", "<p>Año</p>".encode(), "x-no-such", "<p>Año</p>"),
    (
        "non-text-codec-ignored",
        b'<meta charset="base64"><p>A</p>',
        None,
        '<meta charset="base64"><p>A</p>',
    ),
    (
        "latin1-header-over-utf8",
        "<p>Zürich – reunión</p>".encode(),
        "iso-8859-1",
        "<p>Zürich – reunión</p>",
    ),
    (
        "cp1252-meta-over-utf8",
        '<meta charset="windows-1252"><p>Zürich</p>'.encode(),
        None,
        '<meta charset="windows-1252"><p>Zürich</p>',
    ),
    (
        "declared-utf16-means-utf8",
        '<meta charset="utf-16"><p>Año</p>'.encode(),
        None,
        '<meta charset="utf-16"><p>Año</p>',
    ),
    (
        "wrong-meta-falls-through",
        '<meta charset="utf-8"><p>caf\xe9</p>'.encode("latin-1"),
        None,
        '<meta charset="utf-8"><p>café</p>',
    ),
    ("undeclared-utf8", "<p>Año</p>".encode(), None, "<p>Año</p>"),
    (
        "undeclared-cyrillic-detected",
        f"<p>{UKRAINIAN}</p>".encode("cp1251"),
        None,
        f"<p>{UKRAINIAN}</p>",
    ),
    ("undeclared-few-bytes-cp1252", b"<p>caf\xe9</p>", None, "<p>café</p>"),
    ("cp1252-last-resort-replaces", b"<p>A\x81o</p>", None, "<p>A\ufffdo</p>"),
]


@pytest.mark.parametrize(
    ("body", "header", "text"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_charset_policy(body: bytes, header: str | None, text: str) -> None:
    """BOM, then header, then declaration, then UTF-8, then detection, then Windows-1252."""
    assert decode_html(body, header) == text


def test_text_is_returned_as_is() -> None:
    """Text (already decoded) passes through untouched, whatever it declares."""
    assert decode_html('<meta charset="koi8-r"><p>Año</p>') == '<meta charset="koi8-r"><p>Año</p>'


def test_extract_of_bytes_uses_the_policy() -> None:
    """bot.extract(bytes) decodes with it: undeclared Windows-1251 comes out as Cyrillic."""
    body = f"<html><body><article><p>{UKRAINIAN}</p></article></body></html>".encode("cp1251")
    assert UKRAINIAN in extract(body).text


async def test_fetch_uses_the_policy_with_the_header_charset(news: NewsServer) -> None:
    """A fetched page decodes with it, given the Content-Type charset, overruled by valid UTF-8."""
    latin = news.page(
        "/l1", "<p>reunión</p>".encode("latin-1"), content_type="text/html; charset=iso-8859-1"
    )
    wrong = news.page(
        "/wrong", "<p>Zürich – reunión</p>".encode(), content_type="text/html; charset=iso-8859-1"
    )
    fetcher = Fetcher(
        FetchSettings(
            user_agent="newsbot-test/1",
            timeout_s=2.0,
            max_bytes=50_000,
            max_redirects=3,
            max_feed_items=10,
            host_delay_s=0.0,
        )
    )
    try:
        assert (await fetcher.get(latin)).text == "<p>reunión</p>"
        assert (await fetcher.get(wrong)).text == "<p>Zürich – reunión</p>"
    finally:
        await fetcher.aclose()
