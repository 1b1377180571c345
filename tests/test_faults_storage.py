"""Fault matrix, storage rows: every storage problem is one line and exit 2; one running bot
per database; a full disk mid-run strands nothing and resends nothing Telegram accepted."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.store import Store
from tests.conftest import ROOT
from tests.fakes.disk import fill, inside, needs_private_mounts, read_only, small_disk, with_mounts
from tests.fakes.telegram_api import FakeTelegram, Fault
from tests.outbox_support import seed, stories_in


def write_config(tmp_path: Path, fake: FakeTelegram | None = None) -> Path:
    config = yaml.safe_load((ROOT / "config" / "newsbot.yaml").read_text(encoding="utf-8"))
    config["sources"] = []
    if fake is not None:
        config["telegram"] = {
            "api_base_url": fake.url,
            "deliver_every": "200ms",
            "poll_timeout": "1s",
            "send_concurrency": 4,
            "pacing_scale": 0.01,
        }
    path = tmp_path / "newsbot.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def env_for(database_url: str, token: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("TELEGRAM_BOT_TOKEN", None)
    if token:
        env["TELEGRAM_BOT_TOKEN"] = token
    env["NEWSBOT_DATABASE_URL"] = database_url
    return env


def newsbot(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "bot", "--config", str(config), *args]


_START_LOG = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ INFO newsbot\.run: ")


def run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)


def assert_one_line_storage_error(done: subprocess.CompletedProcess[str], *words: str) -> str:
    """Exit 2, one stderr line starting `newsbot: storage error:`, no traceback (the start-up
    INFO log lines that say where alerts go and which database is used may come before it)."""
    said = done.stderr.strip().splitlines()
    lines = [line for line in said if not _START_LOG.match(line)]
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("newsbot: storage error:"), lines[0]
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def make_database(path: Path) -> None:
    Store(f"sqlite:///{path}").close()


# -- row 12: one line for every storage problem --------------------------------------------


@needs_private_mounts
@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_database_is_one_line(tmp_path: Path, what: str) -> None:
    """A database file (or its folder) on a read-only mount: one line, exit 2, for root too."""
    db = tmp_path / "data" / "newsbot.db"
    make_database(db)
    config = write_config(tmp_path)
    target = db if what == "file" else db.parent
    argv = with_mounts([read_only(target)], newsbot(config, "run", "--once"))
    done = run(argv, env_for(f"sqlite:///{db}"))
    line = assert_one_line_storage_error(done)
    assert "read-only" in line or "readonly" in line, line


def test_an_uncreatable_folder_is_one_line(tmp_path: Path) -> None:
    """An SQLite path whose folder cannot be made (a file is in the way): one line, exit 2."""
    (tmp_path / "taken").write_text("a file, not a folder")
    config = write_config(tmp_path)
    done = run(newsbot(config, "run", "--once"), env_for(f"sqlite:///{tmp_path}/taken/data/n.db"))
    assert_one_line_storage_error(done, "cannot create the database folder")


@pytest.mark.skipif(  # psycopg (3) is in the test extra: psycopg2 is the driver left out
    importlib.util.find_spec("psycopg2") is not None, reason="psycopg2 is installed here"
)
@pytest.mark.parametrize("command", [["run", "--once"], ["sources"]])
def test_postgresql_without_its_driver_names_the_package(
    tmp_path: Path, command: list[str]
) -> None:
    """A PostgreSQL storage.url without its driver: one line naming what to pip install."""
    config = write_config(tmp_path)
    url = "postgresql+psycopg2://newsbot:s3cret@127.0.0.1:5/newsbot"
    done = run(newsbot(config, *command), env_for(url))
    line = assert_one_line_storage_error(done, "psycopg", "pip install")
    assert "s3cret" not in line


def test_a_corrupt_database_is_one_line(tmp_path: Path) -> None:
    """A database file that is not SQLite (or is damaged): one line, exit 2."""
    db = tmp_path / "newsbot.db"
    db.write_bytes(b"this is not a database\n" * 500)
    config = write_config(tmp_path)
    done = run(newsbot(config, "run", "--once"), env_for(f"sqlite:///{db}"))
    assert_one_line_storage_error(done, "not a database")


def test_a_database_locked_by_another_writer_is_one_line(tmp_path: Path) -> None:
    """A database held in an exclusive transaction by someone else past the busy timeout:
    one line, exit 2."""
    db = tmp_path / "newsbot.db"
    make_database(db)
    config = write_config(tmp_path)
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        done = run(newsbot(config, "run", "--once"), env_for(f"sqlite:///{db}"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert_one_line_storage_error(done, "locked")


# -- row 10: one running bot per database --------------------------------------------------


def start(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as stderr:
        return subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)


def stop(bot: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> int:
    if bot.poll() is None:
        bot.send_signal(sig)
    try:
        return bot.wait(timeout=30)
    except subprocess.TimeoutExpired:
        bot.kill()
        return bot.wait(timeout=10)


def test_a_second_bot_on_one_database_refuses_and_a_killed_one_does_not_block(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    """While one `newsbot run` runs, a second `run` and a cron `run --once` refuse in one
    line naming the first (PID, host); after `kill -9` of the first, a restart works at once."""
    config = write_config(tmp_path, fake)
    env = env_for(f"sqlite:///{tmp_path}/newsbot.db", fake.token)
    first = start(newsbot(config, "run"), env, tmp_path / "first.log")
    try:
        fake.wait_for(lambda f: f.waiting_polls > 0, timeout=60)
        for command in (["run"], ["run", "--once"]):
            done = run(newsbot(config, *command), env)
            line = assert_one_line_storage_error(done, "another newsbot is already running")
            assert f"PID {first.pid} on {socket.gethostname()}" in line, line
        assert first.poll() is None
        polls = len(fake.calls("getUpdates"))
        stop(first, signal.SIGKILL)
        second = start(newsbot(config, "run"), env, tmp_path / "second.log")
        try:
            fake.wait_for(lambda f: len(f.calls("getUpdates")) > polls + 1, timeout=60)
            assert second.poll() is None, (tmp_path / "second.log").read_text()
        finally:
            assert stop(second) == 0, (tmp_path / "second.log").read_text()
    finally:
        stop(first, signal.SIGKILL)


# -- row 11: a full disk mid-run -----------------------------------------------------------


def wait_for_text(path: Path, text: str, timeout: float = 60.0) -> None:
    """Wait (bounded) until the log file at ``path`` contains ``text``."""
    deadline = time.monotonic() + timeout
    while text not in path.read_text(errors="replace"):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{text!r} not logged within {timeout} s")
        time.sleep(0.05)


def states(db: Path, copy: Path) -> Counter[str]:
    """Delivery states of the database at ``db`` (inside the bot's namespace), read from a
    copy (SQLite resolves ``/proc/<pid>/root`` to our own root, where the tmpfs is not)."""
    copy.mkdir(exist_ok=True)
    for suffix in ("", "-wal"):
        source = Path(f"{db}{suffix}")
        if source.exists():
            shutil.copyfile(source, copy / f"copy.db{suffix}")
    conn = sqlite3.connect(copy / "copy.db")
    try:
        return Counter(dict(conn.execute("SELECT state, count(*) FROM deliveries GROUP BY state")))
    finally:
        conn.close()


@needs_private_mounts
def test_a_full_disk_mid_run_strands_nothing_and_resends_nothing(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    """The disk fills while sends are in flight: Telegram accepts them, the `sent` marks fail
    with SQLITE_FULL and are kept in memory, nothing is claimed or resent while full; once
    space is freed the marks are written and the rest goes out. Every alert arrives once."""
    chats = [20_000 + i for i in range(12)]
    seed_dir, disk = tmp_path / "seed", tmp_path / "disk"
    disk.mkdir()
    store = Store(f"sqlite:///{seed_dir}/newsbot.db")
    seed(store, chats, 2)
    store.close()
    config = write_config(tmp_path, fake)
    gate = threading.Event()
    fake.inject(Fault.gated(gate), times=None)
    log = tmp_path / "bot.log"
    argv = with_mounts([small_disk(disk, 4096, seed_from=seed_dir)], newsbot(config, "run"))
    bot = start(argv, env_for(f"sqlite:///{disk}/newsbot.db", fake.token), log)
    try:
        fake.wait_for(lambda f: f.at_gate >= 4, timeout=60)  # send_concurrency in flight
        filler = fill(inside(bot.pid, disk))
        gate.set()
        wait_for_text(log, "kept in memory until the database takes writes again")
        wait_for_text(log, "delivery outcomes still unrecorded")  # a round refused to claim
        accepted = Counter((m.chat_id, s) for m in fake.sent_messages() for s in stories_in(m.text))
        assert accepted and max(accepted.values()) == 1
        filler.unlink()
        wait_for_text(log, "every delivery outcome kept in memory is recorded now")
        wanted = {(chat, story) for chat in chats for story in range(2)}
        fake.wait_for(
            lambda f: (
                {(m.chat_id, s) for m in f.sent_messages() for s in stories_in(m.text)} >= wanted
            ),
            timeout=60,
        )
        db = inside(bot.pid, disk / "newsbot.db")
        deadline = time.monotonic() + 30
        while states(db, tmp_path / "copy") != {"sent": len(wanted)}:
            assert time.monotonic() < deadline, states(db, tmp_path / "copy")
            time.sleep(0.1)
    finally:
        gate.set()
        code = stop(bot)
    text = log.read_text()
    assert code == 0, text[-3000:]
    assert "database or disk is full" in text
    assert "Traceback" not in text
    received = Counter((m.chat_id, s) for m in fake.sent_messages() for s in stories_in(m.text))
    assert set(received) == wanted and max(received.values()) == 1


async def test_a_command_while_the_database_is_locked_is_answered_with_an_apology(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    """/subscribe while another writer holds the database past the busy timeout: the user is
    told to try again (no handler traceback); afterwards the same command works."""
    from bot.config import load_config
    from bot.telegram.link import TelegramLink

    config = load_config(ROOT / "config" / "newsbot.yaml", env={})
    db = tmp_path / "newsbot.db"
    store = Store(f"sqlite:///{db}")
    link = TelegramLink(
        token=fake.token,
        api_base_url=fake.url,
        store=store,
        rules=lambda: config.rules,
        clock=time.time,
    )
    await link.open()
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        fake.send_command(5, "/subscribe zelensky-trump-summit")
        await link.process_pending_updates()
        holder.execute("ROLLBACK")
        [apology] = fake.sent_messages(5)
        assert "try again later" in apology.text
        fake.send_command(5, "/subscribe zelensky-trump-summit")
        await link.process_pending_updates()
        assert store.subscriptions_of(5) == ["zelensky-trump-summit"]
    finally:
        holder.close()
        await link.close()
        store.close()


async def test_a_source_check_that_cannot_be_stored_is_one_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A source run whose results the locked database refuses: one error line, no traceback,
    and the bot goes on (the next run tries again)."""
    from bot.config import load_config
    from bot.runtime.runner import Runtime
    from tests.fakes.news_server import NewsServer

    with NewsServer() as news:
        url = news.page("/a.html", "<html><body><article><p>Some text.</p></article></html>")
        config = yaml.safe_load((ROOT / "config" / "newsbot.yaml").read_text(encoding="utf-8"))
        config["sources"] = [{"id": "one", "url": url, "kind": "page", "ignore_robots": True}]
        path = tmp_path / "newsbot.yaml"
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        db = tmp_path / "newsbot.db"
        runtime = Runtime(load_config(path, env={"NEWSBOT_DATABASE_URL": f"sqlite:///{db}"}))
        await runtime.open()
        holder = sqlite3.connect(db, isolation_level=None)
        try:
            holder.execute("BEGIN EXCLUSIVE")
            report = await runtime.check(runtime.config.sources[0])
            holder.execute("ROLLBACK")
            assert report.errors and "storage error" in report.errors[0]
            assert not any(r.exc_info for r in caplog.records)
            assert not (await runtime.check(runtime.config.sources[0])).errors
        finally:
            holder.close()
            await runtime.close()
