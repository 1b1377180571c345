"""One request's deadline over asyncio, paused while the request waits in our own queue."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class Deadline:
    """One request's deadline; time spent queueing in our own ``HostGate`` is added back.

    ``scope()`` enforces it around network I/O; scopes do not nest (a redirect hop's robots.txt
    is fetched inside the page's scope and is bounded by it).
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._loop = asyncio.get_running_loop()
        self.at = self._loop.time() + seconds
        self._scope: asyncio.Timeout | None = None

    @asynccontextmanager
    async def scope(self) -> AsyncIterator[None]:
        if self._scope is not None:
            yield
            return
        async with asyncio.timeout_at(self.at) as scope:
            self._scope = scope
            try:
                yield
            finally:
                self._scope = None

    @asynccontextmanager
    async def paused(self) -> AsyncIterator[None]:
        """The clock stops while the body waits (our own queue, not the server's slowness)."""
        started = self._loop.time()
        if self._scope is not None:
            self._scope.reschedule(None)
        try:
            yield
        finally:
            self.at += self._loop.time() - started
            if self._scope is not None:
                self._scope.reschedule(self.at)
