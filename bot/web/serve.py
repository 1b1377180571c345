"""Serve the web app with uvicorn: inside ``newsbot run`` (beside the bot, on its event loop)
or alone (``newsbot web``, read-only)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator

import uvicorn

from bot.config import Config
from bot.config.load import is_loopback, split_listen
from bot.errors import ConfigError
from bot.web.app import make_app
from bot.web.context import WebContext

log = logging.getLogger("newsbot.web")


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its own signal handlers: the bot's handlers decide when to stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def check_listen(config: Config, listen: str) -> tuple[str, int]:
    """Host and port to bind; a non-loopback address without an access token is refused."""
    try:
        host, port = split_listen(listen)
    except ValueError:
        raise ConfigError(f"web.listen: {listen!r} is not host:port", file=config.file) from None
    if not is_loopback(listen) and not config.web.token:
        raise ConfigError(
            f"web.listen: {listen} is not a loopback address: set web.token (or"
            " NEWSBOT_WEB_TOKEN) so that only holders of the token can use the web app",
            file=config.file,
        )
    return host, port


class WebServer:
    """The web app served in the background of the running event loop."""

    def __init__(self, ctx: WebContext, listen: str) -> None:
        host, port = check_listen(ctx.config(), listen)
        self.server = _EmbeddedServer(
            uvicorn.Config(
                make_app(ctx),
                host=host,
                port=port,
                log_level="warning",
                access_log=False,
                lifespan="off",
            )
        )
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Bind and serve; a port in use is a one-line ``ConfigError``."""
        self._task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            if self._task.done():
                self._task = None
                raise ConfigError(f"web.listen: cannot listen on {self.address}")
            await asyncio.sleep(0.02)
        log.info("web app on http://%s", self.address)

    @property
    def address(self) -> str:
        host, port = self.server.config.host, self.server.config.port
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    @property
    def port(self) -> int:
        """The bound port (the configured one, or the one the OS chose for port 0)."""
        for server in self.server.servers:
            for sock in server.sockets:
                return int(sock.getsockname()[1])
        return int(self.server.config.port)

    async def stop(self) -> None:
        if self._task is not None:
            self.server.should_exit = True
            await self._task
            self._task = None


async def serve_alone(ctx: WebContext, listen: str) -> None:
    """``newsbot web``: the workbench over ``ctx`` (read-only), until SIGINT or SIGTERM."""
    host, port = check_listen(ctx.config(), listen)
    server = uvicorn.Server(
        uvicorn.Config(make_app(ctx), host=host, port=port, log_level="warning", access_log=False)
    )
    log.info("newsbot web (read-only) on http://%s:%d; Ctrl-C stops it", host, port)
    await server.serve()
