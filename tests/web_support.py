"""What the web tests share: a config on disk, the real bot with its web app served by uvicorn
on 127.0.0.1 in a thread of its own, and headless Chromium (Debian's) driven by Playwright."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bot.config import load_config
from bot.runtime.runner import Runtime
from bot.web.serve import WebServer
from tests.conftest import REQUIRE_SHARED

T = TypeVar("T")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

TOPIC = """
  - id: zelensky-trump
    name: "Zelensky and Trump"
    match:
      all: [zelensky, trump]
    tests:
      match: ["Zelensky meets Trump"]
"""


def write_config(folder: Path, news_url: str, *, topics: str = TOPIC, web: str = "") -> Path:
    """A config with one watched page on the local news server, one topic, a SQLite file."""
    path = folder / "newsbot.yaml"
    path.write_text(
        f"""# newsbot config for the web tests
sources:
  - id: local-news
    url: {news_url}
    kind: page
    interval: 1h
topics:{topics}
fetch:
  workers: 1
  host_delay: 0s
storage:
  url: sqlite:///{folder}/newsbot.db
{web}""",
        encoding="utf-8",
    )
    return path


class ServedBot:
    """The real ``Runtime`` (config, store, fetcher, reload) with its web app served on
    127.0.0.1 by uvicorn, both on an event loop in a background thread."""

    def __init__(self, config_path: Path) -> None:
        self.config_path = config_path
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.runtime: Runtime
        self.web: WebServer

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        """Run ``coro`` on the bot's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __enter__(self) -> ServedBot:
        from bot.runtime.web_run import start_web

        self._thread.start()
        config = load_config(self.config_path, env={})

        async def start() -> None:
            self.runtime = Runtime(config, config_path=self.config_path)
            await self.runtime.open()
            self.web = await start_web(self.runtime, "127.0.0.1:0")

        self.run(start())
        return self

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.web.port}"

    def check_sources(self) -> None:
        """One run of every configured source, as the scheduler would start it."""

        async def check() -> None:
            for source in self.runtime.config.sources:
                await self.runtime.check(source)

        self.run(check())

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            await self.web.stop()
            await self.runtime.close()

        try:
            self.run(stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)
            self.loop.close()


def need_chromium() -> None:
    """Skip (fail in CI, NEWSBOT_REQUIRE_SHARED=1) when Chromium or Playwright is missing."""
    missing = None
    if not CHROMIUM.exists():
        missing = f"{CHROMIUM} is missing (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "playwright is not installed (pip install -e '.[test]')"
    if missing:
        if REQUIRE_SHARED:
            pytest.fail(f"browser tests: {missing} and NEWSBOT_REQUIRE_SHARED is set")
        pytest.skip(f"browser tests: {missing}")


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (the system one, no download) with a fresh profile."""
    need_chromium()
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="newsbot-chromium-")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch_persistent_context(
                profile,
                executable_path=str(CHROMIUM),
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": 1366, "height": 900},
                env={**os.environ, "HOME": profile},
            )
            try:
                yield browser
            finally:
                browser.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
