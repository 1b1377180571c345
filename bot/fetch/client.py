"""The HTTP adapter: fetch one URL politely with one shared httpx client.

Polite: robots.txt is read (cached per host) and honoured, for every redirect hop too (an httpx
request hook checks each URL the client is about to request), ``HostGate`` spaces and limits
requests per host and overall, Retry-After holds the host. Cheap: conditional requests with
the validators of the last answer (ETag, Last-Modified → 304) and a content hash so unchanged
bodies are recognised before anything parses them. Safe: caps on the raw and the decompressed
body (we decompress ourselves, in bounded steps, so a gzip bomb never inflates in memory),
a redirect cap, and only HTML, XML and JSON are accepted.

Bounded: one deadline of ``timeout`` per request covers its robots.txt, every redirect hop and
the whole body, so a server trickling one byte a second is cut at the deadline (httpx's own
timeouts only bound each read). Time spent waiting for our own politeness gate is not counted.
Every vendor exception (httpx, h11, invalid URLs, broken compression) leaves as a ``FetchError``.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from bot import metrics
from bot.clean.decode import decode_html
from bot.config import FetchSettings
from bot.errors import FetchError, FetchRejected
from bot.fetch.deadline import Deadline
from bot.fetch.decompress import BoundedDecoder
from bot.fetch.politeness import HostGate, host_key, parse_retry_after
from bot.model import Validators
from bot.sources.robots import ROBOTS_MAX_BYTES, RobotsRules, robots_url

__all__ = ["FetchStats", "Fetched", "Fetcher", "Validators"]

_ACCEPTED_TYPES = ("html", "xml", "rss", "atom", "json", "text/plain")
_RETRY_STATUSES = (429, 503)
_CHUNK = 64 * 1024
# Whether the request being made must be allowed by robots.txt: set by ``Fetcher.get`` for the
# page and every redirect it follows; off for robots.txt itself and for ``ignore_robots``.
_CHECK_ROBOTS: contextvars.ContextVar[bool] = contextvars.ContextVar("check_robots", default=False)
_SCHEMES = ("http", "https")


# The deadline of the request being made, so robots.txt fetched for it shares it.
_DEADLINE: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar(
    "deadline", default=None
)


@dataclass(frozen=True, slots=True)
class Fetched:
    """An answer: final URL after redirects, status (304: not modified), body and validators.

    ``text`` decodes on demand, so a body recognised as unchanged is never decoded.
    """

    url: str
    status: int
    content_type: str
    body: bytes = b""
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def text(self) -> str:
        return decode_html(self.body, self.charset)

    def validators(self) -> Validators:
        return Validators(self.etag, self.last_modified, self.content_hash or None)

    def unchanged_since(self, previous: Validators | None) -> bool:
        """True on a 304, or when the body hashes the same as last time."""
        if self.not_modified:
            return True
        return previous is not None and previous.content_hash == self.content_hash


@dataclass(slots=True)
class FetchStats:
    """Counters for benchmarks and health: requests sent, 304 answers, bytes read."""

    requests: int = 0
    not_modified: int = 0
    robots_fetches: int = 0
    bytes_read: int = 0


class Fetcher:
    """One shared ``httpx.AsyncClient`` (keep-alive per host) for every source."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """``clock`` (monotonic) times robots.txt caching and host holds, ``sleep`` waits for
        the politeness gate on that clock, ``wall_clock`` (Unix time) reads Retry-After dates."""
        self.settings = settings
        self.stats = FetchStats()
        self._clock = clock
        self._wall_clock = wall_clock
        kwargs: dict[str, Any] = {}
        if transport is not None:
            kwargs["transport"] = transport
        self._client = httpx.AsyncClient(
            headers={
                "User-Agent": settings.user_agent,
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.5",
                "Accept-Encoding": "gzip, deflate",
            },
            timeout=httpx.Timeout(
                settings.timeout_s, connect=min(settings.connect_timeout_s, settings.timeout_s)
            ),
            limits=httpx.Limits(
                max_connections=settings.concurrency,
                max_keepalive_connections=settings.concurrency,
            ),
            follow_redirects=True,
            max_redirects=settings.max_redirects,
            event_hooks={"request": [self._check_hop]},
            **kwargs,
        )
        self.gate = HostGate(
            per_host=settings.host_concurrency,
            delay_s=settings.host_delay_s,
            total=settings.concurrency,
            max_wait_s=settings.timeout_s,
            clock=clock,
            sleep=sleep,
        )
        self._robots: dict[str, tuple[RobotsRules, float]] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}

    async def aclose(self) -> None:
        await self._client.aclose()

    @metrics.timed_fetch
    async def get(
        self, url: str, *, validators: Validators | None = None, ignore_robots: bool = False
    ) -> Fetched:
        """Fetch ``url``; raise ``FetchError`` (network, HTTP status) or ``FetchRejected``.

        With ``validators`` the request is conditional; a 304 comes back as a ``Fetched`` with
        ``not_modified`` set and no body. The whole call ends within ``timeout`` (plus time
        queued behind our own per-host politeness).
        """
        deadline = Deadline(self.settings.timeout_s)
        deadline_token = _DEADLINE.set(deadline)
        try:
            if not ignore_robots:
                await self._require_allowed(url)
            headers: dict[str, str] = {}
            if validators is not None:
                if validators.etag:
                    headers["If-None-Match"] = validators.etag
                if validators.last_modified:
                    headers["If-Modified-Since"] = validators.last_modified
            token = _CHECK_ROBOTS.set(not ignore_robots)  # this request and its redirects
            try:
                async with self._admitted(url, deadline):
                    return await self._get(
                        url, headers, self.settings.max_bytes, deadline, check_type=True
                    )
            finally:
                _CHECK_ROBOTS.reset(token)
        finally:
            _DEADLINE.reset(deadline_token)

    async def _require_allowed(self, url: str) -> None:
        """robots.txt must allow ``url``; an unreachable robots.txt is reported as such."""
        rules = await self.robots(url)
        if rules.allows(url, self.settings.user_agent):
            return
        if rules.is_unreachable:
            raise FetchError(url, self._unreachable_robots(url, rules))
        raise FetchRejected(url, f"disallowed by robots.txt{_why(rules.reason)}")

    def _unreachable_robots(self, url: str, rules: RobotsRules) -> str:
        cached = self._robots.get(host_key(url))
        left = max(0.0, cached[1] - self._clock()) if cached else rules.ttl_s
        return f"robots.txt unreachable: {rules.reason}; retrying in {max(1, round(left / 60))} min"

    @asynccontextmanager
    async def _admitted(self, url: str, deadline: Deadline) -> AsyncIterator[None]:
        """A turn on the host's gate; the wait for it does not count against the deadline."""
        async with AsyncExitStack() as stack:
            async with deadline.paused():
                await stack.enter_async_context(self.gate.slot(url))
            yield

    async def _check_hop(self, request: httpx.Request) -> None:
        """Before each request (a redirect target included): refuse a scheme other than HTTP(S),
        and a URL robots.txt disallows."""
        url = str(request.url)
        if request.url.scheme not in _SCHEMES:
            raise FetchRejected(url, f"unsupported URL scheme {request.url.scheme!r}")
        if not _CHECK_ROBOTS.get():
            return
        rules = await self.robots(url)
        if rules.allows(url, self.settings.user_agent):
            return
        if rules.is_unreachable:
            raise FetchError(
                url, "redirected to a host whose " + self._unreachable_robots(url, rules)
            )
        raise FetchRejected(
            url, f"redirected to a URL disallowed by robots.txt{_why(rules.reason)}"
        )

    async def robots(self, url: str) -> RobotsRules:
        """The robots.txt rules of ``url``'s host, fetched at most once per host and TTL."""
        key = host_key(url)
        lock = self._robots_locks.setdefault(key, asyncio.Lock())
        async with lock:
            cached = self._robots.get(key)
            if cached is not None and cached[1] > self._clock():
                return cached[0]
            rules = await self._fetch_robots(url)
            self._robots[key] = (rules, self._clock() + rules.ttl_s)
            delay = rules.crawl_delay(self.settings.user_agent)
            if delay:
                self.gate.set_crawl_delay(url, delay)
            return rules

    async def _fetch_robots(self, url: str) -> RobotsRules:
        self.stats.robots_fetches += 1
        target = robots_url(url)
        deadline = _DEADLINE.get() or Deadline(self.settings.timeout_s)
        token = _CHECK_ROBOTS.set(False)  # robots.txt itself is always fetched
        try:
            async with self._admitted(target, deadline):
                fetched = await self._get(target, {}, ROBOTS_MAX_BYTES, deadline, check_type=False)
        except FetchRejected:  # too large or compressed oddly: no usable rules, like a 404
            return RobotsRules.from_response(404)
        except FetchError as exc:
            if exc.status is None:  # no HTTP answer: keep what really happened
                return RobotsRules.unreachable(exc.reason)
            return RobotsRules.from_response(exc.status)
        finally:
            _CHECK_ROBOTS.reset(token)
        return RobotsRules.from_response(fetched.status, fetched.text)

    async def _get(
        self,
        url: str,
        headers: dict[str, str],
        max_bytes: int,
        deadline: Deadline,
        *,
        check_type: bool,
    ) -> Fetched:
        self.stats.requests += 1
        try:
            async with (
                deadline.scope(),
                self._client.stream("GET", url, headers=headers) as response,
            ):
                return await self._read(url, response, max_bytes, check_type=check_type)
        except TimeoutError as exc:
            raise FetchError(url, _timed_out(deadline)) from exc
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
            raise _translated(url, exc, self.settings.max_redirects) from exc

    async def _read(
        self, url: str, response: httpx.Response, max_bytes: int, *, check_type: bool
    ) -> Fetched:
        status = response.status_code
        content_type = response.headers.get("Content-Type", "").lower()
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        if status == 304:
            self.stats.not_modified += 1
            # Read the (empty) body to its end: a response closed unread closes its connection,
            # and every unchanged page would then cost a new one.
            await response.aread()
            return Fetched(str(response.url), status, content_type, b"", None, etag, last_modified)
        if status >= 400:
            retry_after = parse_retry_after(
                response.headers.get("Retry-After"),
                now=self._wall_clock(),
                cap_s=self.settings.backoff_max_s,
            )
            if status in _RETRY_STATUSES and retry_after is not None:
                self.gate.hold(url, retry_after)
            raise FetchError(url, f"HTTP {status}", status=status, retry_after=retry_after)
        if check_type and content_type and not any(t in content_type for t in _ACCEPTED_TYPES):
            raise FetchRejected(url, f"not a page or feed: {content_type}", status=status)
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise FetchRejected(url, f"too large: {declared} bytes", status=status)
        decoder = BoundedDecoder(url, response.headers.get("Content-Encoding", ""), max_bytes)
        raw = 0
        async for chunk in response.aiter_raw(_CHUNK):
            raw += len(chunk)
            if raw > max_bytes:
                raise FetchRejected(url, f"too large: more than {max_bytes} bytes", status=status)
            decoder.feed(chunk)
        body = decoder.finish()
        self.stats.bytes_read += raw
        metrics.FETCH_BYTES.observe(raw)
        return Fetched(
            url=str(response.url),
            status=status,
            content_type=content_type,
            body=body,
            charset=response.charset_encoding,
            etag=etag,
            last_modified=last_modified,
            content_hash=hashlib.sha256(body).hexdigest(),
        )


def _timed_out(deadline: Deadline) -> str:
    return f"timed out: no complete answer within {deadline.seconds:g}s (timeout)"


def _translated(
    url: str, exc: httpx.HTTPError | httpx.InvalidURL | httpx.StreamError, max_redirects: int
) -> FetchError:
    """An httpx exception as ours, worded for a maintainer; a URL that cannot work is refused."""
    if isinstance(exc, httpx.TooManyRedirects):
        return FetchError(url, f"too many redirects (more than {max_redirects})")
    if isinstance(exc, httpx.ConnectTimeout):
        return FetchError(url, "timed out connecting (connect_timeout)")
    if isinstance(exc, httpx.TimeoutException):
        return FetchError(url, f"timed out ({type(exc).__name__})")
    if isinstance(exc, httpx.ConnectError):
        return FetchError(url, _connect_failure(exc))
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        try:
            httpx.URL(url)
            what = "redirected to an invalid or unsupported URL"  # our URL is fine: a Location
        except httpx.InvalidURL:
            what = "invalid URL"
        return FetchRejected(url, f"{what}: {exc}")
    if isinstance(exc, httpx.DecodingError):
        return FetchError(url, f"broken compressed body: {exc}")
    if isinstance(exc, httpx.RemoteProtocolError):
        return FetchError(url, f"HTTP protocol error: {exc}")
    return FetchError(url, f"{type(exc).__name__}: {exc}")


def _connect_failure(exc: httpx.ConnectError) -> str:
    """What a failed connect really was: refused, a failed DNS lookup, or another OS error."""
    seen: BaseException | None = exc
    for _ in range(8):  # the cause chain is short; bounded anyway
        if seen is None:
            break
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
        if isinstance(seen, socket.gaierror):
            return f"DNS lookup failed ({seen.strerror or seen})"
        seen = seen.__cause__ or seen.__context__
    text = str(exc)
    if "refused" in text.lower() or "All connection attempts failed" in text:
        return "connection refused"
    return f"cannot connect: {text}"


def _why(reason: str) -> str:
    return f" ({reason})" if reason else ""
