"""Unchanged pages keep the connection: a 304 answer leaves it open for the next request."""

from __future__ import annotations

import asyncio

from bot.config import FetchSettings
from bot.fetch.client import Fetcher
from bot.model import Validators

SETTINGS = FetchSettings(
    user_agent="newsbot-test/1",
    timeout_s=5.0,
    max_bytes=50_000,
    max_redirects=3,
    max_feed_items=10,
    host_delay_s=0.0,
)
NOT_MODIFIED = b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nContent-Length: 0\r\n\r\n'


async def test_304_answers_reuse_one_connection() -> None:
    """Five conditional requests answered 304 go over one keep-alive connection, not five."""
    connections = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                writer.write(NOT_MODIFIED)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    fetcher = Fetcher(SETTINGS)
    try:
        for i in range(5):
            got = await fetcher.get(
                f"http://127.0.0.1:{port}/p/{i}.html",
                validators=Validators(etag='"v1"'),
                ignore_robots=True,
            )
            assert got.not_modified
    finally:
        await fetcher.aclose()
        server.close()
        await server.wait_closed()
    assert connections == 1
