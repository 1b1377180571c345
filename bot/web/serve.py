"""Serve the web app with uvicorn: inside ``newsbot run`` (beside the bot, on its event loop)
or alone (``newsbot web``, read-only)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
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


def bind(config: Config, listen: str) -> socket.socket:
    """The listening socket for ``listen`` (checked by ``check_listen``); an address that
    cannot be bound is a one-line ``ConfigError`` (uvicorn itself would exit the process)."""
    host, port = check_listen(config, listen)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"web.listen: cannot listen on {listen}: {exc.strerror or exc}", file=config.file
        ) from None
    sock.setblocking(False)
    return sock


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
        self.socket = bind(ctx.config(), listen)
        config = uvicorn.Config(
            make_app(ctx), log_level="warning", access_log=False, lifespan="off"
        )
        self.server = _EmbeddedServer(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Serve on the bound socket in the background of the running loop."""
        self._task = asyncio.create_task(self.server.serve(sockets=[self.socket]))
        while not self.server.started:  # startup is a few loop turns: no request is lost
            if self._task.done():
                self._task.result()
                raise ConfigError(f"web.listen: the web app did not start on {self.address}")
            await asyncio.sleep(0.01)
        log.info("web app on http://%s", self.address)

    @property
    def address(self) -> str:
        host, port = self.socket.getsockname()[:2]
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    @property
    def port(self) -> int:
        """The bound port (the configured one, or the one the OS chose for port 0)."""
        return int(self.socket.getsockname()[1])

    async def stop(self) -> None:
        if self._task is not None:
            self.server.should_exit = True
            await self._task
            self._task = None
        self.socket.close()


async def serve_alone(ctx: WebContext, listen: str) -> None:
    """``newsbot web``: the workbench over ``ctx`` (read-only), until SIGINT or SIGTERM."""
    sock = bind(ctx.config(), listen)
    server = uvicorn.Server(uvicorn.Config(make_app(ctx), log_level="warning", access_log=False))
    log.info("newsbot web (read-only) on http://%s; Ctrl-C stops it", listen)
    try:
        await server.serve(sockets=[sock])
    finally:
        sock.close()
