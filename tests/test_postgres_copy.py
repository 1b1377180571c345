"""`newsbot db copy`: a real SQLite installation, left by a bot killed mid-send, moves into a real
PostgreSQL; the bot on PostgreSQL then delivers what was pending, once, and knows what it saw."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bot.errors import DatabaseInUse, StorageError
from bot.store import Store
from bot.store.copy import copy_database
from tests.fakes.news_server import NewsServer
from tests.fakes.telegram_api import FakeTelegram, Fault
from tests.postgres import PostgresServer, pg_server, pg_url
from tests.run_support import record_alerts
from tests.test_cli_commands import feed_config, newsbot
from tests.test_store_contract import article, planned

__all__ = ["pg_server", "pg_url"]  # fixtures used by name below

TOPIC = "zelensky-trump-summit"


def _sqlite_installation(tmp_path: Path, news: NewsServer, fake: FakeTelegram) -> Path:
    """A config whose SQLite database has two subscribers of the seed article's topic."""
    path = feed_config(tmp_path, news, backfill="24h")
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["telegram"]["api_base_url"] = fake.url
    doc["fetch"]["workers"] = 1  # clean in the bot's own process: SIGKILL leaves no orphan
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    store = Store(doc["storage"]["url"])
    for chat in (111, 222):
        store.upsert_subscriber(chat, user_id=chat, chat_type="private", now=1.0)
        store.subscribe(chat, TOPIC, now=1.0)
    store.close()
    return path


def _kill_mid_send(path: Path, fake: FakeTelegram) -> None:
    """`newsbot run` until one chat's send waits at Telegram and the other's went out; SIGKILL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM", "NEWSBOT"))}
    env["TELEGRAM_BOT_TOKEN"] = fake.token
    with (
        (path.parent / "bot.log").open("w") as log,
        subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--config", str(path)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        ) as bot,
    ):
        try:
            fake.wait_for(lambda f: f.at_gate >= 1 and f.sent_messages(222), timeout=60)
            # the answered send is recorded as sent (else it is one more send in flight)
            assert _poll(lambda: _counts(path) == {"sent": 1, "sending": 1}, timeout=30)
        finally:
            bot.send_signal(signal.SIGKILL)
            bot.wait(timeout=30)
    assert bot.returncode == -signal.SIGKILL


def _counts(path: Path) -> dict[str, int]:
    store = Store(f"sqlite:///{path.parent}/newsbot.db")
    try:
        return store.delivery_counts()
    finally:
        store.close()


def _poll(condition: Callable[[], bool], timeout: float) -> bool:
    """Check ``condition`` every 50 ms until it holds or ``timeout`` passes (a database has no
    change notification to wait on)."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            return False
        pause.wait(0.05)
    return True


def test_a_killed_sqlite_bot_moves_to_postgres_and_delivers_what_was_pending(
    tmp_path: Path, news: NewsServer, pg_server: PostgresServer
) -> None:
    """The SQLite outbox left by a bot killed mid-send is copied to PostgreSQL; the bot on
    PostgreSQL sends the interrupted alert once, nothing twice, and does not re-baseline."""
    target = pg_server.conninfo(pg_server.create_database())
    with FakeTelegram() as fake:
        path = _sqlite_installation(tmp_path, news, fake)
        never = threading.Event()  # a gate nobody opens: the send waits until the fake closes
        fake.inject(Fault.gated(never), chat_id=111, times=None)
        _kill_mid_send(path, fake)
        fake.clear_faults()
        sqlite_url = f"sqlite:///{tmp_path}/newsbot.db"
        left = Store(sqlite_url)
        assert left.delivery_counts() == {"sent": 1, "sending": 1}
        left.close()

        copied = newsbot("db", "copy", sqlite_url, target)
        assert copied.returncode == 0, copied.stderr
        assert "deliveries 2" in copied.stdout
        assert "1 deliveries that were being sent are pending again" in copied.stdout

        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        doc["storage"] = {"url": target}
        path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        env = {"TELEGRAM_BOT_TOKEN": fake.token}
        run = newsbot("run", "--once", "--config", str(path), env=env)
        assert run.returncode == 0, run.stderr
        assert "0 new alerts" in run.stdout and "first run" not in run.stdout
        assert len(fake.sent_messages(111)) == 1
        assert len(fake.sent_messages(222)) == 1
    moved = Store(target)
    assert moved.delivery_counts() == {"sent": 2}
    assert moved.subscribers_of([TOPIC]) == {TOPIC: [111, 222]}
    moved.close()


def test_copy_refuses_a_target_with_data_and_a_source_in_use(tmp_path: Path, pg_url: str) -> None:
    """Copying into a database that has rows, or from one a bot is running on, is refused;
    new rows on the target get ids after the copied ones."""
    sqlite_url = f"sqlite:///{tmp_path}/n.db"
    with pytest.raises(StorageError, match="no database to copy"):
        copy_database(sqlite_url, pg_url)
    old = Store(sqlite_url)
    record_alerts(old, [(article(), [planned("t")])], now=1.0, source_id="s")
    old.lock_instance()
    with pytest.raises(DatabaseInUse):
        copy_database(sqlite_url, pg_url)
    old.close()
    report = copy_database(sqlite_url, pg_url)
    assert report.rows["deliveries"] == 2 and report.requeued == 0
    with pytest.raises(StorageError, match="is not empty"):
        copy_database(sqlite_url, pg_url)
    moved = Store(pg_url)
    found = [(article("https://news.example/b"), [planned("t", "https://news.example/b")])]
    new_ids = record_alerts(moved, found, now=2.0, source_id="s")
    assert min(new_ids) > 2 and len(new_ids) == 2
    moved.close()
