"""Source health: admins hear once when a source fails, is walled or goes quiet, and once when
it recovers; failing sources back off; `newsbot sources` shows it all."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from bot.config import Config, parse_config
from bot.fetch.client import Fetcher
from bot.runtime.service import CheckReport, Deps, check_source
from bot.sources.health import HealthPolicy, RunResult, SourceHealth, assess, backoff_s
from bot.store import Store
from tests.conftest import FIXTURES, ROOT
from tests.fakes.news_server import Entry, NewsServer
from tests.run_support import record_failures

POLICY = HealthPolicy(interval_s=600, failures_before_notice=3, backoff_max_s=3600)
WALL = FIXTURES / "pages" / "walls"


def runs(results: list[RunResult], policy: HealthPolicy = POLICY) -> list[str | None]:
    """The notices (condition or None) a sequence of runs produces."""
    health, out = SourceHealth("s"), []
    for result in results:
        health, notice = assess(health, result, policy, rand=0.5)
        out.append(notice.condition if notice else None)
    return out


def test_failing_is_reported_once_and_recovery_once() -> None:
    """Three failures make one notice; more failures say nothing; a success says recovered."""
    fail = [RunResult(now=float(t), error="HTTP 500") for t in range(5)]
    assert runs([*fail, RunResult(now=9.0, new_items=1)]) == [
        None,
        None,
        "failing",
        None,
        None,
        "ok",
    ]


def test_two_failures_then_success_say_nothing() -> None:
    """Failures below the threshold are not worth an admin's attention."""
    results = [RunResult(now=1.0, error="x"), RunResult(now=2.0, error="x"), RunResult(now=3.0)]
    assert runs(results) == [None, None, None]


def test_consent_walled_source_is_reported() -> None:
    """A run whose every page is a wall reports the source as walled, once."""
    walled = RunResult(now=1.0, pages=1, blocked=1)
    assert runs([walled, replace(walled, now=2.0), RunResult(now=3.0, pages=1)]) == [
        "walled",
        None,
        "ok",
    ]


def test_quiet_source_is_reported_stale() -> None:
    """Nothing new for longer than expect_new reports the source as stale."""
    policy = replace(POLICY, expect_new_s=86400)
    results = [RunResult(now=0.0, new_items=3), RunResult(now=3600.0), RunResult(now=90000.0)]
    assert runs(results, policy) == [None, None, "stale"]


def test_backoff_grows_is_capped_and_honours_retry_after() -> None:
    """Rest doubles per failure up to the cap; Retry-After is a floor, itself capped."""
    rests = [backoff_s(n, interval_s=60, cap_s=600, rand=1.0) for n in range(1, 7)]
    assert rests == [60, 120, 240, 480, 600, 600]
    assert backoff_s(3, interval_s=60, cap_s=600, rand=0.0) == 120  # half, with full jitter
    health, _ = assess(
        SourceHealth("s"), RunResult(now=0.0, error="429", retry_after=1800), POLICY, rand=0.0
    )
    assert health.next_check_at == 1800
    health, _ = assess(
        SourceHealth("s"), RunResult(now=0.0, error="429", retry_after=1e20), POLICY, rand=0.0
    )
    assert health.next_check_at == POLICY.backoff_max_s  # 3600


def make_config(sources: list[dict[str, Any]], tmp_path: Path) -> Config:
    doc = yaml.safe_load((FIXTURES / "sources" / "newsbot.yaml").read_text(encoding="utf-8"))
    doc["sources"] = sources
    doc["storage"] = {"url": f"sqlite:///{tmp_path}/n.db"}
    return parse_config(yaml.safe_dump(doc), file="sources-test.yaml", env={})


async def run(config: Config, store: Store, clock: list[float]) -> CheckReport:
    source = config.sources[0]
    fetcher = Fetcher(config.fetch)
    try:
        deps = Deps(store=store, fetcher=fetcher, clock=lambda: clock[0], rand=lambda: 0.5)
        return await check_source(source, config, deps)
    finally:
        await fetcher.aclose()


async def test_failing_source_rests_and_notifies_once(news: NewsServer, tmp_path: Path) -> None:
    """A 5xx feed: one notice at the third failure, runs skipped while resting, no request."""
    news.page("/feed.xml", "down", status=502)
    config = make_config([{"id": "f", "url": news.url("/feed.xml"), "kind": "feed"}], tmp_path)
    store = Store(config.database_url)
    clock = [1000.0]
    notices = []
    try:
        for _ in range(4):
            report = await run(config, store, clock)
            notices.append(report.notice)
            health = store.source_health("f")
            if health.next_check_at:
                resting = await run(config, store, clock)  # too early: skipped
                assert resting.skipped and resting.skipped.startswith("resting")
                clock[0] = health.next_check_at
            else:
                clock[0] += 600
        assert news.hits("/feed.xml") == 4
        assert [n.condition if n else None for n in notices] == [None, None, "failing", None]
        news.feed("/feed.xml", [Entry("/a", "back")])
        recovered = await run(config, store, clock)
        assert recovered.notice is not None and recovered.notice.condition == "ok"
    finally:
        store.close()


async def test_walled_page_source_is_reported(news: NewsServer, tmp_path: Path) -> None:
    """A watched page that is only a consent wall is reported as walled."""
    wall = sorted(WALL.glob("*.html"))[0]
    news.page_file("/article", wall)
    config = make_config([{"id": "p", "url": news.url("/article"), "kind": "page"}], tmp_path)
    store = Store(config.database_url)
    try:
        report = await run(config, store, [1000.0])
    finally:
        store.close()
    assert report.blocked == 1
    assert report.notice is not None and report.notice.condition == "walled"


def test_sources_command_lists_health_as_json(tmp_path: Path) -> None:
    """`newsbot sources --json` prints each source with its condition and counters."""
    config_path = tmp_path / "newsbot.yaml"
    doc = yaml.safe_load((FIXTURES / "sources" / "newsbot.yaml").read_text(encoding="utf-8"))
    doc["sources"] = [
        {"id": "a", "url": "https://news.example/feed.xml", "kind": "feed"},
        {"id": "b", "url": "https://news.example/world/", "kind": "listing"},
    ]
    doc["storage"] = {"url": f"sqlite:///{tmp_path}/n.db"}
    config_path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    store = Store(f"sqlite:///{tmp_path}/n.db")
    record_failures(store, "a", "HTTP 500", times=3, start=1000.0)
    store.close()
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "bot", "--config", str(config_path), "sources"]
    result = subprocess.run(
        [*command, "--json"], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    rows = {row["id"]: row for row in json.loads(result.stdout)["sources"]}
    assert rows["a"]["condition"] == "failing" and rows["a"]["consecutive_failures"] == 3
    assert rows["a"]["last_error"] == "HTTP 500"
    assert rows["b"]["condition"] == "new" and rows["b"]["kind"] == "listing"
    table = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert "failing" in table.stdout and "a: last error: HTTP 500" in table.stdout


async def test_never_successful_source_failing_twice_shows_failing_with_its_error(
    news: NewsServer, tmp_path: Path
) -> None:
    """A source that never succeeded and failed twice (below the notice threshold) is shown by
    `newsbot sources` as failing, with the last error its failures recorded, not as ok."""
    news.page("/feed.xml", "down", status=502)
    source = {"id": "f", "url": news.url("/feed.xml"), "kind": "feed"}
    config = make_config([source], tmp_path)
    store = Store(config.database_url)
    clock = [1000.0]
    try:
        for _ in range(2):
            report = await run(config, store, clock)
            assert report.errors and report.notice is None
            clock[0] = (store.source_health("f").next_check_at or clock[0]) + 1
    finally:
        store.close()
    doc = yaml.safe_load((FIXTURES / "sources" / "newsbot.yaml").read_text(encoding="utf-8"))
    doc["sources"] = [source]
    doc["storage"] = {"url": config.database_url}
    config_path = tmp_path / "newsbot.yaml"
    config_path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    command = [sys.executable, "-m", "bot", "sources", "--config", str(config_path)]
    [row] = json.loads(subprocess.run([*command, "--json"], capture_output=True, text=True,
                                      timeout=60, check=True).stdout)["sources"]  # fmt: skip
    assert (row["condition"], row["consecutive_failures"], row["last_success"]) == (
        "failing",
        2,
        None,
    )
    assert "502" in row["last_error"]
    table = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    assert "failing" in table.stdout.splitlines()[1]
    assert f"f: last error: {row['last_error']}" in table.stdout


def test_notice_counts_runs_in_good_english() -> None:
    """With failures_before_notice: 1 the notice says "1 run in a row", and "3 runs" at three."""
    one = HealthPolicy(interval_s=600, failures_before_notice=1)
    _, notice = assess(SourceHealth("s"), RunResult(now=1.0, error="HTTP 500"), one, rand=0.5)
    assert notice is not None and "is failing: 1 run in a row, last error: HTTP 500" in notice.text
    health, texts = SourceHealth("s"), []
    for t in range(3):
        health, notice = assess(health, RunResult(now=float(t), error="x"), POLICY, rand=0.5)
        texts.append(notice.text if notice else None)
    assert texts[2] is not None and "3 runs in a row" in texts[2]
