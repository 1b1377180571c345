"""`newsbot worker`: which sources are due, the refusal of SQLite, one sender and one poller
taken over when their holder dies, and config reloads that reach every worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.errors import DatabaseInUse
from bot.model import Source
from bot.sources.due import due_sources
from bot.sources.health import SourceHealth
from bot.store import Store
from bot.store.instance import INSTANCE_LOCK_KEY
from bot.store.postgres import RoleLock
from tests.fakes.news_server import NewsServer
from tests.fakes.telegram_api import FakeTelegram
from tests.postgres import PostgresServer, pg_server, pg_url
from tests.scale_scenario import Scenario, Workers, delivered, load, poll
from tests.test_cli_commands import newsbot

__all__ = ["pg_server", "pg_url"]  # fixture used by name below


def _source(sid: str, interval: float = 60.0) -> Source:
    return Source(id=sid, url=f"https://news.example/{sid}", kind="feed", interval_s=interval)


def test_due_sources_follow_interval_and_rest() -> None:
    """Never run: due; run within its interval: not; resting after failures: not until then."""
    health = {
        "ran": SourceHealth("ran", last_run_at=100.0),
        "old": SourceHealth("old", last_run_at=30.0),
        "resting": SourceHealth("resting", last_run_at=10.0, next_check_at=500.0),
    }
    sources = [_source(s) for s in ("new", "ran", "old", "resting")]
    assert [s.id for s in due_sources(sources, health, now=120.0)] == ["new", "old"]
    assert [s.id for s in due_sources(sources, health, now=501.0)] == [
        "new",
        "ran",
        "old",
        "resting",
    ]


def test_worker_refuses_sqlite(tmp_path: Path) -> None:
    """`newsbot worker` on a SQLite URL stops in one line pointing at `newsbot run`."""
    config = tmp_path / "newsbot.yaml"
    config.write_text(
        yaml.safe_dump({"sources": [], "storage": {"url": f"sqlite:///{tmp_path}/n.db"}}),
        encoding="utf-8",
    )
    result = newsbot("worker", "--config", str(config))
    assert result.returncode == 2
    assert "needs PostgreSQL" in result.stderr and "newsbot run" in result.stderr


@pytest.fixture
def site() -> Iterator[tuple[NewsServer, NewsServer, FakeTelegram]]:
    """A news server, a second one, and the fake Bot API."""
    with NewsServer() as news, NewsServer() as other, FakeTelegram() as fake:
        yield news, other, fake


def _holder(workers: Workers, role: str) -> int | None:
    """The index of the worker whose log says it holds ``role`` (the latest to say so)."""
    found = None
    for n, _ in enumerate(workers):
        log = (workers.folder / f"worker{n}.log").read_text(errors="replace")
        if f"holds the {role} role now" in log:
            found = n
    return found


@pytest.mark.slow
def test_roles_move_to_a_live_worker_and_reloads_reach_every_worker(
    tmp_path: Path, pg_server: PostgresServer, site: tuple[NewsServer, NewsServer, FakeTelegram]
) -> None:
    """Two workers: exactly one sends and one polls; an edited config is reloaded by both; the
    sender SIGKILLed, the other takes the role and delivers the next round's alerts."""
    news, other, fake = site
    url = pg_server.url(pg_server.create_database())
    scenario = Scenario(news, other, 12, tmp_path, url, fake.url)
    config_path = scenario.write_config(interval="3s")
    scenario.subscribe_chats()
    scenario.next_round()
    config = load(config_path)
    workers = Workers(config_path, tmp_path, fake.token)
    workers.start(2)
    try:
        first = scenario.expected(config)
        assert fake.wait_for(lambda f: _seen(f, first), timeout=90), workers.logs()
        sender = _holder(workers, "sender")
        assert sender is not None and _holder(workers, "poller") is not None
        logs = workers.logs()
        assert logs.count("holds the sender role now") == 1
        assert logs.count("holds the poller role now") == 1

        doc = yaml.safe_load(config_path.read_text(encoding="utf-8"))
        doc["topics"][0]["name"] = "Alpha, renamed"
        config_path.write_text(yaml.safe_dump(doc), encoding="utf-8")
        assert poll(lambda: workers.logs().count("config reloaded") == 2, timeout=30)

        victim = workers.procs[sender]
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        assert poll(lambda: workers.logs().count("holds the sender role now") == 2, timeout=30)
        scenario.next_round()
        everything = scenario.expected(load(config_path))
        assert fake.wait_for(lambda f: _seen(f, everything), timeout=90), workers.logs()
    finally:
        codes = workers.stop()
    assert codes[1 - sender] == 0, workers.logs()


def _seen(fake: FakeTelegram, wanted: set[tuple[int, str]]) -> bool:
    return wanted <= set(delivered(fake.sent_messages(), {t for _, t in wanted}))


def test_the_container_health_check_needs_config_and_database(tmp_path: Path, pg_url: str) -> None:
    """`health()` passes with a loadable config on a reachable PostgreSQL, fails on SQLite."""
    config = tmp_path / "newsbot.yaml"
    env = {"NEWSBOT_CONFIG": str(config)}
    for url, code in ((pg_url, 0), (f"sqlite:///{tmp_path}/n.db", 1)):
        config.write_text(yaml.safe_dump({"sources": [], "storage": {"url": url}}), "utf-8")
        check = subprocess.run(
            [sys.executable, "-c", "from bot.runtime.worker import health; health()"],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert check.returncode == code, check.stderr


def test_workers_and_a_run_never_share_a_database(pg_url: str) -> None:
    """While workers hold the instance lock (shared) a `run` is refused, and while a `run`
    holds it no worker may start: one bot per database, whatever its runtime."""
    store = Store(pg_url)
    workers = [RoleLock(store, "workers", key=INSTANCE_LOCK_KEY, shared=True) for _ in range(2)]
    assert all(w.try_acquire() for w in workers)
    run = Store(pg_url)
    with pytest.raises(DatabaseInUse):
        run.lock_instance()
    for w in workers:
        w.release()
    run.lock_instance()
    late = RoleLock(store, "workers", key=INSTANCE_LOCK_KEY, shared=True)
    assert late.try_acquire() is False
    run.close()
    assert late.try_acquire() is True
    late.release()
    store.close()
