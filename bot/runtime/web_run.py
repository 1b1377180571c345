"""Wire the web app to the running bot (``newsbot run`` with ``web.listen``), or run it alone
(``newsbot web``, read-only)."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Config, default_config_path, load_config
from bot.errors import ConfigError
from bot.fetch.client import Fetcher
from bot.runtime.sources_cli import source_rows
from bot.store import Store
from bot.web.context import BotHooks, WebContext
from bot.web.serve import WebServer, serve_alone

if TYPE_CHECKING:
    from bot.runtime.runner import Runtime

log = logging.getLogger("newsbot.web")


def bot_context(runtime: Runtime, started_at: float) -> WebContext:
    """The running bot as the web app sees it: its config as reloaded, its store and fetcher,
    the reload path SIGHUP takes, and when its scheduler and delivery loop last ran (the start
    counts as a beat, so a bot just started is healthy until a loop is late)."""
    return WebContext(
        config=lambda: runtime.config,
        config_path=runtime.config_path,
        store=runtime.store,
        fetcher=runtime.fetcher,
        source_rows=source_rows,
        bot=BotHooks(
            reload=runtime.reload,
            scheduler_beat=lambda: runtime.scheduler_beat or started_at,
            delivery_beat=lambda: runtime.last_delivery_at or started_at,
        ),
    )


async def start_web(runtime: Runtime, listen: str) -> WebServer:
    """Serve the web app beside the bot on its event loop; stop it with ``.stop()``."""
    server = WebServer(bot_context(runtime, time.time()), listen)
    await server.start()
    return server


class FileConfig:
    """The config file as ``newsbot web`` shows it: read again when it changes (a bot running
    elsewhere reloads it too); a broken edit keeps the last good config."""

    def __init__(self, config: Config, path: Path | None) -> None:
        self.config, self.path = config, path
        self._stamp = self._stamp_now()

    def _stamp_now(self) -> tuple[float, int] | None:
        try:
            stat = self.path.stat() if self.path else None
        except OSError:
            return None
        return (stat.st_mtime, stat.st_size) if stat else None

    def __call__(self) -> Config:
        stamp = self._stamp_now()
        if self.path is not None and stamp != self._stamp:
            self._stamp = stamp
            try:
                self.config = load_config(self.path)
            except ConfigError as exc:
                log.warning("config changed but does not load, showing the last good one: %s", exc)
        return self.config


async def run_web_alone(config: Config, config_path: Path | None, listen: str) -> None:
    """``newsbot web``: the workbench on its own store and fetcher until stopped."""
    store = Store(config.database_url)
    fetcher = Fetcher(config.fetch)
    ctx = WebContext(
        config=FileConfig(config, config_path),
        config_path=config_path,
        store=store,
        fetcher=fetcher,
        source_rows=source_rows,
    )
    try:
        await serve_alone(ctx, listen)
    finally:
        await fetcher.aclose()
        store.close()


def serve_web_command(config: Config, config_arg: str | None, listen_arg: str | None) -> None:
    """``newsbot web``: the app alone on ``--listen``, else ``web.listen``, else 127.0.0.1:8080."""
    path = Path(config_arg) if config_arg else default_config_path(os.environ)
    listen = listen_arg or config.web.listen or "127.0.0.1:8080"
    asyncio.run(run_web_alone(config, path, listen))
