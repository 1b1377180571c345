"""Shared test setup: the loopback-only network guard and paths to real data."""

from __future__ import annotations

import ipaddress
import os
import socket
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Config, load_config
from bot.store import Store
from bot.telegram.link import TelegramLink
from tests.fakes.news_server import NewsServer
from tests.fakes.telegram_api import FakeTelegram

# python-telegram-bot 22 warns when it builds RetryAfter unless this opts in to its timedelta
# behaviour; bot.telegram.errors sets it too, but a 429 may be built before that is imported.
os.environ.setdefault("PTB_TIMEDELTA", "true")

ROOT = Path(__file__).resolve().parent.parent
# Subprocesses (`python -m bot …`) must run this checkout's code, whatever is pip-installed.
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
)
SHARED = ROOT.parent / "shared"
SHARED_DATA = SHARED / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# CI sets this: there ../shared is present and a full data-set gate that skips is a defect.
REQUIRE_SHARED = os.environ.get("NEWSBOT_REQUIRE_SHARED", "") not in ("", "0")


def shared(*parts: str) -> Path:
    """A path under ../shared (the full data sets and tools beside the checkout).

    A fresh clone has no ../shared: a test that needs it is skipped with a reason naming the
    missing path, unless NEWSBOT_REQUIRE_SHARED is set (CI), where it fails instead.
    """
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"{path} is missing (the full data-set gates need ../shared beside the checkout)"
        if REQUIRE_SHARED:
            pytest.fail(message + " and NEWSBOT_REQUIRE_SHARED is set")
        pytest.skip(message)
    return path


SKIPPED_LOG = os.environ.get("NEWSBOT_SKIPPED_LOG", "")
"""Where .ci/run collects the tests its first pass skipped, to run them again with ../shared."""


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Append the id of each skipped test to NEWSBOT_SKIPPED_LOG when it is set (CI only).

    An expected failure (xfail) also reports as skipped; it is not a test the copy could not
    run, so it is left out.
    """
    if SKIPPED_LOG and report.skipped and not hasattr(report, "wasxfail"):
        with open(SKIPPED_LOG, "a", encoding="utf-8") as log:
            log.write(report.nodeid + "\n")


def _is_loopback(address: Any) -> bool:
    if isinstance(address, tuple) and address:
        host = address[0]
    else:
        return True  # unix sockets and other families never leave the machine
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name that would need DNS: refuse, tests use literal addresses


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail any connection outside 127.0.0.0/8 made from the test process."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        if not _is_loopback(address):
            raise AssertionError(f"test tried to connect outside loopback: {address!r}")
        return real_connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> Any:
        if not _is_loopback(address):
            raise AssertionError(f"test tried to connect outside loopback: {address!r}")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    yield


# Fixtures most test files share, defined once (a file that needs a variant defines its own).


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    """A fake Telegram Bot API on 127.0.0.1 (tests/fakes/telegram_api.py)."""
    with FakeTelegram() as server:
        yield server


@pytest.fixture
def news() -> Iterator[NewsServer]:
    """A local news server on 127.0.0.1 serving real saved pages (tests/fakes/news_server.py)."""
    with NewsServer() as server:
        yield server


@pytest.fixture
def config() -> Config:
    """The shipped config/newsbot.yaml, loaded with no environment (no token)."""
    return load_config(ROOT / "config" / "newsbot.yaml", env={})


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A real SQLite store in the test's temporary folder, closed afterwards."""
    store = Store(f"sqlite:///{tmp_path}/n.db")
    yield store
    store.close()


@pytest.fixture
def send_timeout_s() -> float:
    """How long ``link`` waits for a send before retrying it; a test file overrides this fixture."""
    return 20.0  # the production default (telegram.send_timeout)


@pytest.fixture
async def link(
    fake: FakeTelegram, store: Store, config: Config, send_timeout_s: float
) -> AsyncIterator[TelegramLink]:
    """The real Telegram adapter, open against ``fake`` and ``store``, closed afterwards."""
    telegram = TelegramLink(
        token=fake.token,
        api_base_url=fake.url,
        store=store,
        rules=lambda: config.rules,
        clock=time.time,
        send_timeout_s=send_timeout_s,
    )
    await telegram.open()
    try:
        yield telegram
    finally:
        await telegram.close()
