"""The fetch adapter against a real HTTP server on 127.0.0.1: limits, errors, charsets,
conditional requests, robots.txt, per-host politeness and Retry-After holds."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import replace

import httpx
import pytest

from bot.config import FetchSettings
from bot.errors import FetchError, FetchRejected
from bot.fetch.client import Fetcher
from tests.fakes.news_server import NewsServer

SETTINGS = FetchSettings(
    user_agent="newsbot-test/1",
    timeout_s=2.0,
    max_bytes=50_000,
    max_redirects=3,
    max_feed_items=10,
    host_delay_s=0.0,
)


class VirtualClock:
    """A monotonic clock for the politeness gate: ``sleep`` moves it forward instead of waiting.

    Time only moves by the gate's own waits, so the spacing read on it is what the gate
    decided, whatever the machine's load did to the real requests.
    """

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        target = self.now + seconds
        await asyncio.sleep(0)  # still a suspension point, as a real sleep is
        self.now = max(self.now, target)


class Stamping(httpx.AsyncHTTPTransport):
    """httpx's own transport, noting the virtual time each request leaves the client."""

    def __init__(self, clock: VirtualClock) -> None:
        super().__init__()
        self.clock = clock
        self.sent: list[tuple[str, float]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.url.path, self.clock()))
        return await super().handle_async_request(request)

    def times(self, prefix: str) -> list[float]:
        return sorted(at for path, at in self.sent if path.startswith(prefix))


def virtual_fetcher(settings: FetchSettings = SETTINGS) -> tuple[Fetcher, Stamping]:
    """A Fetcher whose politeness runs on a virtual clock, and its stamping transport."""
    clock = VirtualClock()
    transport = Stamping(clock)
    fetcher = Fetcher(settings, transport=transport, clock=clock, sleep=clock.sleep)
    return fetcher, transport


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
    settings = replace(SETTINGS, timeout_s=0.3, max_bytes=1000, max_redirects=1)
    url = news.page("/stall", "late", stall_s=1.5)
    with pytest.raises(FetchError, match="timed out"):
        await fetch(url, settings)


async def test_connection_refused_is_a_fetch_error() -> None:
    """Nothing listening is a FetchError naming the URL."""
    with NewsServer() as server:
        url = server.url("/gone")
    with pytest.raises(FetchError, match="/gone"):
        await fetch(url)


async def test_second_request_is_conditional_and_gets_304(news: NewsServer) -> None:
    """The validators of the first answer make the second request a 304 with no body."""
    url = news.page("/live", "<p>first</p>", validators=True)
    fetcher = Fetcher(SETTINGS)
    try:
        first = await fetcher.get(url)
        second = await fetcher.get(url, validators=first.validators())
    finally:
        await fetcher.aclose()
    assert first.status == 200 and first.etag and first.last_modified
    assert second.not_modified and second.body == b""
    assert second.unchanged_since(first.validators())
    assert news.statuses("/live") == [200, 304]
    assert news.seen("/live")[1].headers["If-None-Match"] == first.etag


async def test_same_body_without_validators_is_recognised_by_hash(news: NewsServer) -> None:
    """A server without ETag sends the body again; its hash says it did not change."""
    url = news.page("/plain", "<p>same</p>")
    fetcher = Fetcher(SETTINGS)
    try:
        first = await fetcher.get(url)
        second = await fetcher.get(url, validators=first.validators())
    finally:
        await fetcher.aclose()
    assert second.status == 200 and second.unchanged_since(first.validators())
    news.page("/plain", "<p>changed</p>")
    assert "If-None-Match" not in news.seen("/plain")[1].headers


async def test_robots_disallowed_path_is_never_requested(news: NewsServer) -> None:
    """A path robots.txt disallows for our agent is refused before any request to it."""
    news.robots("User-agent: newsbot-test\nDisallow: /private/\n\nUser-agent: *\nDisallow: /\n")
    allowed = news.page("/public/a", "<p>ok</p>")
    blocked = news.page("/private/a", "<p>secret</p>")
    fetcher = Fetcher(SETTINGS)
    try:
        assert "ok" in (await fetcher.get(allowed)).text
        with pytest.raises(FetchRejected, match=r"robots\.txt"):
            await fetcher.get(blocked)
        await fetcher.get(allowed)
    finally:
        await fetcher.aclose()
    assert news.hits("/private/a") == 0
    assert news.hits("/robots.txt") == 1  # cached per host


async def test_redirect_to_a_disallowed_url_is_not_followed(news: NewsServer) -> None:
    """robots.txt is checked for every hop: a redirect into a disallowed path, on this host or
    another one, is refused before the target is requested; an allowed redirect is followed."""
    news.robots("User-agent: *\nDisallow: /private/\n")
    news.page("/private/a", "<p>secret</p>")
    news.page("/public/a", "<p>ok</p>")
    to_private = news.page("/go/private", "", status=302, headers={"Location": "/private/a"})
    to_public = news.page("/go/public", "", status=302, headers={"Location": "/public/a"})
    with NewsServer() as other:
        other.robots("User-agent: *\nDisallow: /\n")
        other.page("/story", "<p>elsewhere</p>")
        to_other = news.page("/go/other", "", status=301, headers={"Location": other.url("/story")})
        fetcher = Fetcher(SETTINGS)
        try:
            assert "ok" in (await fetcher.get(to_public)).text
            for url in (to_private, to_other):
                with pytest.raises(
                    FetchRejected, match=r"redirected to a URL disallowed by robots"
                ):
                    await fetcher.get(url)
            # ignore_robots follows the redirect without reading any robots.txt
            assert "secret" in (await fetcher.get(to_private, ignore_robots=True)).text
        finally:
            await fetcher.aclose()
        assert other.hits("/robots.txt") == 1 and other.hits("/story") == 0
    assert news.hits("/private/a") == 1  # only the ignore_robots fetch
    assert news.hits("/robots.txt") == 1


async def test_ignore_robots_fetches_anyway(news: NewsServer) -> None:
    """With ignore_robots the page is fetched and robots.txt is not even read."""
    news.robots("User-agent: *\nDisallow: /\n")
    url = news.page("/a", "<p>ok</p>")
    fetcher = Fetcher(SETTINGS)
    try:
        assert "ok" in (await fetcher.get(url, ignore_robots=True)).text
    finally:
        await fetcher.aclose()
    assert news.hits("/robots.txt") == 0


async def test_robots_server_error_means_disallow_all(news: NewsServer) -> None:
    """A robots.txt answering 5xx blocks the host for a while (RFC 9309), reported as a
    passing fetch error naming the status, not as a disallow by the site."""
    news.page("/robots.txt", "oops", status=500, content_type="text/plain")
    url = news.page("/a", "<p>ok</p>")
    with pytest.raises(FetchError, match=r"robots\.txt unreachable: HTTP 500; retrying in 10 min"):
        await fetch(url)
    with pytest.raises(FetchError) as caught:
        await fetch(url)
    assert not isinstance(caught.value, FetchRejected)  # an item will be tried again later
    assert news.hits("/a") == 0


async def test_crawl_delay_spaces_requests(news: NewsServer) -> None:
    """A Crawl-delay in robots.txt spaces request starts to the host that far apart."""
    news.robots("User-agent: *\nCrawl-delay: 0.2\n")
    urls = [news.page(f"/p{i}", "<p>x</p>") for i in range(3)]
    fetcher, sent = virtual_fetcher()
    try:
        await asyncio.gather(*(fetcher.get(u) for u in urls))
    finally:
        await fetcher.aclose()
    starts = sent.times("/p")
    # The k-th start is never before k delays; the gate never waits longer than it must.
    assert all(at >= k * 0.2 - 1e-9 for k, at in enumerate(starts)), starts
    assert starts[-1] == pytest.approx(0.4), starts


async def test_per_host_concurrency_and_delay_are_respected(news: NewsServer) -> None:
    """Ten parallel fetches to one host: never more than 2 at once, starts 30 ms apart."""
    settings = replace(SETTINGS, host_concurrency=2, host_delay_s=0.03)
    urls = [news.page(f"/s{i}", "<p>x</p>", stall_s=0.05) for i in range(10)]
    fetcher, sent = virtual_fetcher(settings)
    try:
        await asyncio.gather(*(fetcher.get(u, ignore_robots=True) for u in urls))
    finally:
        await fetcher.aclose()
    assert news.peak_in_flight <= 2
    starts = sent.times("/s")
    assert len(starts) == 10 == len(news.seen())
    assert all(at >= k * 0.03 - 1e-9 for k, at in enumerate(starts)), starts
    assert starts[-1] == pytest.approx(9 * 0.03), starts


async def test_global_concurrency_limits_across_hosts() -> None:
    """With concurrency 1, two hosts are never served at the same time."""
    settings = replace(SETTINGS, concurrency=1, host_concurrency=4)
    with NewsServer() as one, NewsServer() as two:
        urls = [s.page(f"/g{i}", "<p>x</p>", stall_s=0.05) for s in (one, two) for i in range(3)]
        fetcher = Fetcher(settings)
        try:
            await asyncio.gather(*(fetcher.get(u, ignore_robots=True) for u in urls))
        finally:
            await fetcher.aclose()
        spans = sorted((r.at, r.done_at) for s in (one, two) for r in s.seen())
    # Causal, not a timing margin: the server stamps done_at before the response headers leave
    # it, and the client can only send the next request once it has read that response.
    assert all(b[0] >= a[1] for a, b in itertools.pairwise(spans)), spans


async def test_retry_after_holds_the_host(news: NewsServer) -> None:
    """After a 429 with a long Retry-After the host gets no request until the hold ends."""
    busy = news.page("/busy", "", status=429, headers={"Retry-After": "3600"})
    other = news.page("/other", "<p>x</p>")
    fetcher = Fetcher(SETTINGS)
    try:
        with pytest.raises(FetchError) as first:
            await fetcher.get(busy, ignore_robots=True)
        with pytest.raises(FetchError, match="Retry-After") as second:
            await fetcher.get(other, ignore_robots=True)
    finally:
        await fetcher.aclose()
    assert first.value.retry_after == 3600.0
    assert second.value.retry_after is not None and second.value.retry_after > 3500
    assert news.hits("/other") == 0


async def test_short_retry_after_is_waited_out(news: NewsServer) -> None:
    """A 503 with Retry-After: 1 delays the next request to the host by a second."""
    busy = news.page("/busy", "", status=503, headers={"Retry-After": "1"})
    other = news.page("/other", "<p>x</p>")
    fetcher, sent = virtual_fetcher()
    try:
        with pytest.raises(FetchError):
            await fetcher.get(busy, ignore_robots=True)
        assert "x" in (await fetcher.get(other, ignore_robots=True)).text
    finally:
        await fetcher.aclose()
    assert sent.times("/busy") == [0.0]
    assert sent.times("/other") == [pytest.approx(1.0)]


async def test_gzip_body_is_decoded(news: NewsServer) -> None:
    """A gzip-encoded page arrives as its text."""
    url = news.page("/z", "<p>compressed café</p>", gzip=True)
    assert "compressed café" in await fetch(url)
    assert "gzip" in news.seen("/z")[0].headers["Accept-Encoding"]


async def test_gzip_bomb_is_refused_without_inflating(news: NewsServer) -> None:
    """50 MB of spaces in a 50 KB gzip body is refused at the decompressed size cap."""
    url = news.gzip_bomb("/bomb", 50_000_000)
    with pytest.raises(FetchRejected, match="decompressed"):
        await fetch(url)


async def test_unknown_content_encoding_is_refused(news: NewsServer) -> None:
    """A body in an encoding we did not ask for is refused with its name."""
    url = news.page("/br", b"\x00\x01", headers={"Content-Encoding": "br"})
    with pytest.raises(FetchRejected, match="encoding: br"):
        await fetch(url)
