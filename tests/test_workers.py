"""Pages are cleaned and matched in the bot's thread and forked worker processes: a huge page
does not hold up commands or deliveries, workers start only when pages queue up, a dead worker
costs only its page, new rules reach the workers, and the pool stops."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from bot.config import Config, parse_config
from bot.fetch.client import Fetcher
from bot.runtime.service import Deps, check_source
from bot.runtime.workers import PagePool
from bot.store import Store
from tests.conftest import FIXTURES, ROOT
from tests.fakes.news_server import NewsServer
from tests.fakes.telegram_api import FakeTelegram
from tests.outbox_support import seed, stories_in

SEED = FIXTURES / "pages" / "seed-inline-notice.html"
SUBSCRIBER = 111
BOUND_S = 5.0  # a command or a delivery waits at most this long while the huge page is cleaned


def huge_page() -> str:
    """1.6 MB of tiny paragraphs: tens of seconds of cleaning on the event loop before."""
    paragraphs = "".join(f"<p>Tiny paragraph {i}.</p>" for i in range(60_000))
    return (
        "<html><head><title>Zelensky seeks Trump meeting</title></head><body><article>"
        f"<h1>Zelensky seeks Trump meeting</h1>{paragraphs}</article></body></html>"
    )


def config_with(sources: list[dict[str, object]], **fetch: object) -> Config:
    doc = yaml.safe_load((ROOT / "config" / "newsbot.yaml").read_text(encoding="utf-8"))
    doc["sources"] = sources
    doc["fetch"] = {**doc.get("fetch", {}), "host_delay": "0s", **fetch}
    return parse_config(yaml.safe_dump(doc, allow_unicode=True), file="workers-test.yaml")


def page_source(source_id: str, url: str) -> dict[str, object]:
    return {"id": source_id, "url": url, "kind": "page"}


@pytest.mark.slow
def test_huge_page_does_not_delay_help_or_deliveries(
    tmp_path: Path, news: NewsServer, fake: FakeTelegram
) -> None:
    """While a 1.6 MB page is cleaned, /help is answered and queued alerts go out promptly."""
    news.page("/huge.html", huge_page())
    doc = yaml.safe_load((ROOT / "config" / "newsbot.yaml").read_text(encoding="utf-8"))
    doc["sources"] = [page_source("huge", news.url("/huge.html"))]
    doc["telegram"] |= {"api_base_url": fake.url, "deliver_every": "1s", "poll_timeout": "1s"}
    config = tmp_path / "newsbot.yaml"
    config.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    database = f"sqlite:///{tmp_path}/newsbot.db"
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=fake.token, NEWSBOT_DATABASE_URL=database)
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(config), "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert news.wait_for(lambda n: n.hits("/huge.html") >= 1, timeout=60)
        fake.wait_for(lambda f: len(f.calls("getUpdates")) >= 1, timeout=30)
        asked = time.monotonic()
        fake.send_command(SUBSCRIBER, "/help")
        fake.wait_for(lambda f: f.sent_messages(SUBSCRIBER), timeout=60)
        help_s = time.monotonic() - asked

        store = Store(database)
        try:
            seed(store, [SUBSCRIBER], 2, now=time.time())
        finally:
            store.close()
        queued = time.monotonic()
        fake.wait_for(
            lambda f: any(stories_in(m.text) for m in f.sent_messages(SUBSCRIBER)), timeout=60
        )
        deliver_s = time.monotonic() - queued
    finally:
        bot.send_signal(signal.SIGTERM)
        _, err = bot.communicate(timeout=60)
    assert bot.returncode == 0, err[-3000:]
    assert help_s < BOUND_S, f"/help answered after {help_s:.1f} s"
    assert deliver_s < BOUND_S, f"queued alerts sent after {deliver_s:.1f} s"


async def test_killed_worker_fails_its_page_and_the_pool_recovers(
    tmp_path: Path, news: NewsServer
) -> None:
    """A worker killed mid-page: that page is an error of its source; the next run works."""
    news.page("/huge.html", huge_page())
    news.page_file("/seed.html", SEED)
    config = config_with(
        [page_source("huge", news.url("/huge.html")), page_source("seed", news.url("/seed.html"))]
    )
    pool = PagePool(2)
    store = Store(f"sqlite:///{tmp_path}/n.db")
    fetcher = Fetcher(config.fetch)
    deps = Deps(store=store, fetcher=fetcher, pages=pool)
    try:
        huge, seed_source = config.sources
        # The bot's own slot is busy with a huge page, so the source's page waits and then
        # goes to a worker forked for it.
        own = asyncio.ensure_future(
            pool.digest(huge_page(), "http://127.0.0.1/", config.rules, "x")
        )
        task = asyncio.ensure_future(check_source(huge, config, deps))
        deadline = time.monotonic() + 60
        while not pool.worker_pids() and time.monotonic() < deadline:  # no event for a fork
            await asyncio.sleep(0.05)
        assert pool.worker_pids(), "no worker started for the page that waited"
        for pid in pool.worker_pids():
            os.kill(pid, signal.SIGKILL)
        report = await asyncio.wait_for(task, timeout=60)
        assert report.pages == 0
        assert any("died" in error for error in report.errors), report.errors
        assert store.fetch_validators(news.url("/huge.html")) is None  # not "unchanged" next run
        assert (await own).article.title == "Zelensky seeks Trump meeting"

        after = await check_source(seed_source, config, deps)
        assert after.pages == 1 and not after.errors
        assert [m.topic_id for m in after.matches[0][1]] == ["zelensky-trump-summit"]
    finally:
        await fetcher.aclose()
        pool.close()
        store.close()
    assert pool.worker_pids() == []


async def test_pages_one_at_a_time_start_no_worker_and_a_queue_starts_one() -> None:
    """Pages digested one after another stay in the bot's process; pages that queue up fork
    one worker (two slots: the bot's thread and the worker) and all get the same result."""
    html = SEED.read_text(encoding="utf-8")
    rules = config_with([]).rules
    pool = PagePool(2)
    try:
        alone = [await pool.digest(html, "http://127.0.0.1/seed.html", rules, "s") for _ in "ab"]
        assert pool.worker_pids() == []
        queued = await asyncio.gather(
            *(pool.digest(html, "http://127.0.0.1/seed.html", rules, "s") for _ in range(6))
        )
        assert len(pool.worker_pids()) == 1
        assert all(page == alone[0] for page in [*alone, *queued])
    finally:
        pool.close()


async def test_a_forked_worker_does_not_hold_the_bots_connections_open() -> None:
    """A connection open in the bot when a worker is forked ends on the network when the bot
    closes it (the worker does not keep its copy of the socket)."""
    html = SEED.read_text(encoding="utf-8")
    rules = config_with([]).rules
    server = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(server.getsockname()[:2])
    accepted, _ = server.accept()
    pool = PagePool(2)
    try:
        await asyncio.gather(  # three at once: one waits, so the worker is forked now
            *(pool.digest(html, "http://127.0.0.1/seed.html", rules, "s") for _ in "abc")
        )
        assert pool.worker_pids()
        client.close()
        accepted.settimeout(10)
        assert accepted.recv(1) == b""  # the end of the stream, not a timeout
    finally:
        pool.close()
        accepted.close()
        server.close()


async def test_new_rules_reach_the_workers_and_one_worker_runs_in_process() -> None:
    """After a reload the workers match with the new topics; workers: 1 starts no process."""
    html = SEED.read_text(encoding="utf-8")
    shipped = config_with([])
    doc = yaml.safe_load((ROOT / "config" / "newsbot.yaml").read_text(encoding="utf-8"))
    doc["topics"] = [t for t in doc["topics"] if t["id"] != "zelensky-trump-summit"]
    reloaded = parse_config(yaml.safe_dump(doc, allow_unicode=True), file="reloaded.yaml")
    for workers in (2, 1):
        pool = PagePool(workers)
        try:
            pids = []
            for rules in (shipped.rules, reloaded.rules):
                pages = await asyncio.gather(
                    *(pool.digest(html, "http://127.0.0.1/seed.html", rules, "s") for _ in "abc")
                )
                pids.append(pool.worker_pids())
                topics = {tuple(m.topic_id for m in page.matches) for page in pages}
                wanted = "zelensky-trump-summit" in [t.id for t in rules.topics]
                assert ("zelensky-trump-summit" in topics.pop()) == wanted and not topics
                assert {page.fingerprint for page in pages} != {None}
            if workers > 1:  # a new worker for the new rules
                assert len(pids[0]) == len(pids[1]) == 1 and pids[0] != pids[1]
            else:
                assert pids == [[], []]
        finally:
            pool.close()


LAUNCHER = """import asyncio, sys
from bot.config import load_config
from bot.runtime.workers import PageCrashed, PagePool

config = load_config(sys.argv[1])
pool = PagePool(2, start_method=sys.argv[2])
html = open(sys.argv[3], encoding="utf-8").read()

async def one():
    try:
        return await pool.digest(html, "http://127.0.0.1/s.html", config.rules, "s")
    except PageCrashed as exc:
        return exc

async def rounds():
    for _ in range(4):  # three pages at once: the third waits, so workers are started
        pages = await asyncio.gather(one(), one(), one())
        print(" ".join(type(page).__name__ for page in pages), flush=True)

asyncio.run(rounds())
pool.close()
"""


@pytest.mark.slow
@pytest.mark.parametrize("start_method", ["spawn", "fork"])
def test_workers_that_die_at_start_give_way_to_in_process_cleaning(
    tmp_path: Path, start_method: str
) -> None:
    """A launcher without a main guard kills every spawned worker: after two such pools the
    pages are digested in-process and taken; forked workers do not run the launcher again."""
    config = tmp_path / "newsbot.yaml"
    config.write_text((ROOT / "config" / "newsbot.yaml").read_text(encoding="utf-8"))
    launcher = tmp_path / "launch.py"  # runs again as the main module of every spawned process
    launcher.write_text(LAUNCHER, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(launcher), str(config), start_method, str(SEED)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rounds = done.stdout.splitlines()
    assert len(rounds) == 4 and rounds[-1] == "DigestedPage DigestedPage DigestedPage", rounds
    if start_method == "spawn":
        assert "cleaning pages in-process from now on" in done.stderr, done.stderr[-3000:]
        assert sum(line.count("PageCrashed") for line in rounds) == 2, rounds
    else:
        assert "PageCrashed" not in done.stdout and "died" not in done.stderr, done.stderr
