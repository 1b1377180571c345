"""Politeness towards news sites: per-host concurrency and spacing, a global limit, holds.

``HostGate`` is used by the fetch adapter around every request. Per host (scheme, host and
port) at most ``per_host`` requests run at once and request starts are at least ``delay_s``
apart; across hosts at most ``total`` run at once. A host that answered 429 or 503 with
Retry-After is *held*: nothing is sent to it before the hold ends, and a request that would
have to wait longer than ``max_wait_s`` for it fails at once instead of queueing.

``parse_retry_after`` reads a Retry-After header as RFC 9110 defines it.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from bot.errors import FetchError

MAX_CRAWL_DELAY_S = 60.0
_DELTA_SECONDS = re.compile(r"[0-9]+")  # RFC 9110: 1*DIGIT, ASCII digits only ("²" is not one)


def host_key(url: str) -> str:
    """The politeness unit of a URL: scheme, host and port."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


@dataclass(slots=True)
class _Host:
    running: asyncio.Semaphore
    next_start: float = 0.0
    held_until: float = 0.0
    delay_s: float = 0.0
    active: int = 0
    peak: int = field(default=0)


class HostGate:
    """Admission of requests: per-host concurrency and spacing, a global limit, host holds."""

    def __init__(
        self,
        *,
        per_host: int,
        delay_s: float,
        total: int,
        max_wait_s: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """``clock`` (seconds, monotonic) and ``sleep`` are injected together: a test passes a
        virtual clock whose ``sleep`` advances it, and reads the spacing on that clock."""
        self.per_host = per_host
        self.delay_s = delay_s
        self.max_wait_s = max_wait_s
        self._total = asyncio.Semaphore(total)
        self._hosts: dict[str, _Host] = {}
        self._clock = clock
        self._sleep = sleep

    def _host(self, key: str) -> _Host:
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = _Host(asyncio.Semaphore(self.per_host), delay_s=self.delay_s)
        return host

    def set_crawl_delay(self, url: str, seconds: float) -> None:
        """robots.txt asked for more spacing than our default: honour it, within reason."""
        host = self._host(host_key(url))
        host.delay_s = max(self.delay_s, min(seconds, MAX_CRAWL_DELAY_S))

    def hold(self, url: str, seconds: float) -> None:
        """The host asked us to come back later (Retry-After): send it nothing until then."""
        host = self._host(host_key(url))
        host.held_until = max(host.held_until, self._clock() + seconds)

    def held_for(self, url: str) -> float:
        """Seconds left on the host's hold (0 when it is not held)."""
        host = self._hosts.get(host_key(url))
        return max(0.0, host.held_until - self._clock()) if host else 0.0

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        """Wait for a turn on the URL's host; raise ``FetchError`` when held for too long."""
        host = self._host(host_key(url))
        async with host.running:
            now = self._clock()
            if host.held_until - now > self.max_wait_s:
                wait = host.held_until - now
                raise FetchError(
                    url, f"host asked us to wait {wait:.0f}s (Retry-After)", retry_after=wait
                )
            start = max(now, host.next_start, host.held_until)
            host.next_start = start + host.delay_s  # reserved before any await: no race
            if start > now:
                await self._sleep(start - now)
            async with self._total:
                host.active += 1
                host.peak = max(host.peak, host.active)
                try:
                    yield
                finally:
                    host.active -= 1


def parse_retry_after(value: str | None, *, now: float, cap_s: float) -> float | None:
    """Retry-After (RFC 9110 §10.2.3) as seconds to wait, at most ``cap_s``; None if unusable.

    Either delta-seconds (ASCII digits) or an HTTP-date (taken as UTC when it names no zone);
    anything else (``1e20``, ``-5``, ``²``, junk) is ignored, as the RFC lets a recipient do.
    """
    text = (value or "").strip()
    if not text:
        return None
    if _DELTA_SECONDS.fullmatch(text):
        # A long digit string is huge anyway; int() on thousands of digits is refused by Python.
        seconds = float(int(text)) if len(text) <= 12 else cap_s
        return min(seconds, cap_s)
    try:
        when = parsedate_to_datetime(text)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = when.timestamp() - now
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
    return min(max(0.0, seconds), cap_s)
