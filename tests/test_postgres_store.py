"""The store on a real PostgreSQL: the same behaviours as on SQLite, the schema made and upgraded
by newsbot, the advisory instance lock, and the commands with `storage.url: postgresql://…`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, create_engine, inspect

from bot.errors import DatabaseInUse, StorageError
from bot.store import Store
from tests.fakes.news_server import NewsServer
from tests.fakes.telegram_api import FakeTelegram
from tests.postgres import PostgresServer, pg_server, pg_url
from tests.test_cli_commands import feed_config, newsbot

__all__ = ["pg_server", "pg_url"]  # fixtures used by name below

TOPIC = "zelensky-trump-summit"


def test_an_old_schema_is_upgraded_in_place(pg_url: str) -> None:
    """A PostgreSQL database made before the newer columns existed gets them, rows kept."""
    old = MetaData()
    Table(
        "source_state",
        old,
        Column("source_id", String(64), primary_key=True),
        Column("last_run_at", Float),
        Column("last_success_at", Float),
        Column("last_error", Text),
        Column("last_error_at", Float),
        Column("consecutive_failures", Integer, nullable=False, default=0),
        Column("blocked_count", Integer, nullable=False, default=0),
        Column("status", String(16), nullable=False, default="new"),
        Column("items_found", Integer, nullable=False, default=0),
    )
    engine = create_engine(pg_url)
    old.create_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO source_state (source_id, consecutive_failures, blocked_count, status,"
            " items_found) VALUES ('s', 4, 0, 'failing', 9)"
        )
    store = Store(pg_url)
    columns = {c["name"] for c in inspect(engine).get_columns("source_state")}
    assert {"first_run_at", "next_check_at", "walled_runs", "reported"} <= columns
    assert store.source_statuses()["s"].consecutive_failures == 4
    store.close()
    engine.dispose()


def test_the_advisory_lock_admits_one_bot_and_dies_with_its_holder(pg_url: str) -> None:
    """A second bot is refused naming the first; after the holder is SIGKILLed it may start."""
    with subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, pg_url], stdout=subprocess.PIPE, text=True
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
            second = Store(pg_url)
            with pytest.raises(DatabaseInUse, match=f"PID {holder.pid} on"):
                second.lock_instance()
            holder.kill()
            holder.wait(timeout=10)
            second.lock_instance()  # the session ended with the process, so did its lock
            second.close()
        finally:
            holder.kill()


_HOLD_LOCK = """
import sys
import threading
from bot.store import Store
store = Store(sys.argv[1])
store.lock_instance()
print("locked", flush=True)
threading.Event().wait(60)
"""


def test_a_driverless_or_unreachable_postgres_is_one_line(pg_server: PostgresServer) -> None:
    """A refused connection says so in one StorageError line, the password never shown."""
    url = f"postgresql://u:secret@127.0.0.1:{pg_server.port + 1}/x"
    with pytest.raises(StorageError) as caught:
        Store(url)
    assert "secret" not in str(caught.value) and "\n" not in str(caught.value)


def _pg_config(tmp_path: Path, news: NewsServer, url: str, fake: FakeTelegram) -> Path:
    path = feed_config(tmp_path, news, backfill="24h")
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["storage"] = {"url": url}
    doc["telegram"]["api_base_url"] = fake.url
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_commands_work_with_a_postgresql_url(
    tmp_path: Path, news: NewsServer, pg_server: PostgresServer
) -> None:
    """`storage.url: postgresql://…`: run --once alerts and delivers, sources reads the health,
    a dry run refuses (it copies SQLite files) in one line."""
    url = pg_server.conninfo(pg_server.create_database())  # the plain form a user writes
    seed = Store(url)
    seed.upsert_subscriber(111, user_id=111, chat_type="private", now=1.0)
    seed.subscribe(111, TOPIC, now=1.0)
    seed.close()
    with FakeTelegram() as fake:
        path = _pg_config(tmp_path, news, url, fake)
        env = {"TELEGRAM_BOT_TOKEN": fake.token}
        run = newsbot("run", "--once", "--config", str(path), env=env)
        assert run.returncode == 0, run.stderr
        assert "1 new alert," in run.stdout
        sent = fake.sent_messages(111)
        assert len(sent) == 1 and "Zelensky" in sent[0].text
        again = newsbot("run", "--once", "--config", str(path), env=env)
        assert again.returncode == 0, again.stderr
        assert len(fake.sent_messages(111)) == 1
    sources = newsbot("sources", "--json", "--config", str(path))
    assert sources.returncode == 0, sources.stderr
    assert '"condition": "ok"' in sources.stdout
    dry = newsbot("run", "--once", "--dry-run", "--config", str(path))
    assert dry.returncode != 0
    assert "works on SQLite only" in dry.stderr
