"""Pages are cleaned and matched in worker processes: a huge page does not hold up commands or
deliveries, a dead worker costs only its page, new rules reach the workers, and the pool stops."""

from __future__ import annotations

import asyncio
import os
import signal
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
        task = asyncio.ensure_future(check_source(huge, config, deps))
        assert await asyncio.to_thread(news.wait_for, lambda n: n.hits("/huge.html") >= 1, 30)
        deadline = time.monotonic() + 30
        while not pool.worker_pids() and time.monotonic() < deadline:  # no event for a spawn
            await asyncio.sleep(0.05)
        for pid in pool.worker_pids():
            os.kill(pid, signal.SIGKILL)
        report = await asyncio.wait_for(task, timeout=60)
        assert report.pages == 0
        assert any("died" in error for error in report.errors), report.errors
        assert store.fetch_validators(news.url("/huge.html")) is None  # not "unchanged" next run

        after = await check_source(seed_source, config, deps)
        assert after.pages == 1 and not after.errors
        assert [m.topic_id for m in after.matches[0][1]] == ["zelensky-trump-summit"]
    finally:
        await fetcher.aclose()
        pool.close()
        store.close()
    assert pool.worker_pids() == []


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
            before = await pool.digest(html, "http://127.0.0.1/seed.html", shipped.rules, "s")
            after = await pool.digest(html, "http://127.0.0.1/seed.html", reloaded.rules, "s")
            assert "zelensky-trump-summit" in [m.topic_id for m in before.matches]
            assert "zelensky-trump-summit" not in [m.topic_id for m in after.matches]
            assert before.fingerprint == after.fingerprint is not None
            assert (pool.worker_pids() != []) == (workers > 1)
        finally:
            pool.close()


@pytest.mark.slow
def test_workers_that_die_at_start_give_way_to_in_process_cleaning(
    tmp_path: Path, news: NewsServer
) -> None:
    """A launcher without a main guard kills every spawned worker: after two such pools the
    pages are cleaned in-process, and the run still takes them."""
    for name in ("a", "b", "c"):
        news.page_file(f"/{name}.html", SEED)
    doc = yaml.safe_load((ROOT / "config" / "newsbot.yaml").read_text(encoding="utf-8"))
    doc["sources"] = [page_source(n, news.url(f"/{n}.html")) for n in ("a", "b", "c")]
    doc["fetch"] = {"host_delay": "0s", "concurrency": 1, "workers": 2}
    doc["storage"] = {"url": f"sqlite:///{tmp_path}/n.db"}
    config = tmp_path / "newsbot.yaml"
    config.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    launcher = tmp_path / "launch.py"  # runs the CLI again in every spawned process
    launcher.write_text(
        "import sys\nfrom bot.runtime.cli import main\n"
        f"sys.exit(main(['--config', {str(config)!r}, 'run', '--once']))\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    done = subprocess.run(
        [sys.executable, str(launcher)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "checked 3 sources: 1 page," in done.stdout, done.stdout + done.stderr[-3000:]
    assert "cleaning pages in-process from now on" in done.stderr
