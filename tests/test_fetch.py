"""The fetch adapter against a real HTTP server on 127.0.0.1: limits, errors, charsets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.config import FetchSettings
from bot.errors import FetchError, FetchRejected
from bot.fetch import Fetcher
from tests.fakes.news_server import NewsServer

SETTINGS = FetchSettings(
    user_agent="newsbot-test/1", timeout_s=2.0, max_bytes=50_000, max_redirects=3, max_feed_items=10
)


@pytest.fixture
def news() -> Iterator[NewsServer]:
    with NewsServer() as server:
        yield server


async def fetch(url: str, settings: FetchSettings = SETTINGS) -> str:
    fetcher = Fetcher(settings)
    try:
        return (await fetcher.get(url)).text
    finally:
        await fetcher.aclose()


async def test_sends_user_agent_and_decodes_header_charset(news: NewsServer) -> None:
    """The User-Agent is ours and a Latin-1 page declared in the header decodes correctly."""
    url = news.page(
        "/l1",
        "<p>reunión en París</p>".encode("latin-1"),
        content_type="text/html; charset=iso-8859-1",
    )
    assert "reunión en París" in await fetch(url)
    assert news.requests[-1].headers["User-Agent"] == "newsbot-test/1"


async def test_meta_charset_used_when_header_has_none(news: NewsServer) -> None:
    """Without a header charset, the page's <meta charset> decides."""
    html = '<meta charset="windows-1251"><p>Зеленський</p>'.encode("cp1251")
    url = news.page("/cp1251", html, content_type="text/html")
    assert "Зеленський" in await fetch(url)


async def test_undeclared_bytes_fall_back_without_crashing(news: NewsServer) -> None:
    """Invalid UTF-8 with no declaration decodes as Windows-1252 instead of failing."""
    url = news.page("/bad", b"<p>caf\xe9</p>", content_type="text/html")
    assert "café" in await fetch(url)


@pytest.mark.parametrize("status", [404, 500, 503])
async def test_http_errors_raise_fetch_error(news: NewsServer, status: int) -> None:
    """An error status is a FetchError carrying the status."""
    url = news.page("/e", "nope", status=status)
    with pytest.raises(FetchError) as caught:
        await fetch(url)
    assert caught.value.status == status


async def test_retry_after_is_read(news: NewsServer) -> None:
    """A 429 with Retry-After tells the caller how long to wait."""
    url = news.page("/slow-down", "", status=429, headers={"Retry-After": "120"})
    with pytest.raises(FetchError) as caught:
        await fetch(url)
    assert caught.value.retry_after == 120.0


async def test_oversized_body_is_rejected(news: NewsServer) -> None:
    """A body larger than max_bytes is refused, not read to the end."""
    url = news.page("/big", "<p>" + "x" * 100_000 + "</p>")
    with pytest.raises(FetchRejected, match="too large"):
        await fetch(url)


async def test_binary_content_type_is_rejected(news: NewsServer) -> None:
    """A PDF or image is skipped with a reason."""
    url = news.page("/file.pdf", b"%PDF-1.4", content_type="application/pdf")
    with pytest.raises(FetchRejected, match="not a page or feed"):
        await fetch(url)


async def test_redirect_loop_is_capped(news: NewsServer) -> None:
    """A redirect loop stops after max_redirects with a FetchError."""
    news.page("/a", "", status=302, headers={"Location": "/b"})
    news.page("/b", "", status=302, headers={"Location": "/a"})
    with pytest.raises(FetchError, match="redirects"):
        await fetch(news.url("/a"))
    assert news.hits("/a") + news.hits("/b") <= SETTINGS.max_redirects + 1


async def test_stalled_server_times_out(news: NewsServer) -> None:
    """A server that does not answer within the timeout gives a FetchError, not a hang."""
    settings = FetchSettings("t", timeout_s=0.3, max_bytes=1000, max_redirects=1, max_feed_items=1)
    url = news.page("/stall", "late", stall_s=1.5)
    with pytest.raises(FetchError, match="timed out"):
        await fetch(url, settings)


async def test_connection_refused_is_a_fetch_error() -> None:
    """Nothing listening is a FetchError naming the URL."""
    with NewsServer() as server:
        url = server.url("/gone")
    with pytest.raises(FetchError, match="/gone"):
        await fetch(url)
