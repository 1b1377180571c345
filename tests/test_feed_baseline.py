"""An empty feed is a working feed, and the silent first-run baseline covers only what existed
when the source was first tried: items published after a failed or empty first attempt alert
when the feed fills or comes back."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import Config, parse_config
from bot.fetch.client import Fetcher
from bot.runtime.runner import run_once
from bot.runtime.service import CheckReport, Deps, check_source
from bot.sources.feeds import parse_feed
from bot.store import Store
from tests.conftest import ROOT
from tests.fakes.news_server import Entry, NewsServer

DEMO = ROOT / "bot" / "runtime" / "demo" / "pages"
AI_ACT = DEMO / "ai-act-vote.html"  # matches the shipped topic ai-regulation
COOKIE_FINE = DEMO / "eu-cookie-fine.html"  # matches eu-cookie-fines
NOW = datetime.now(UTC).replace(microsecond=0)


def make_config(tmp_path: Path, source: dict[str, Any]) -> Config:
    doc = yaml.safe_load((ROOT / "config" / "newsbot.yaml").read_text(encoding="utf-8"))
    doc["sources"] = [source]
    doc["fetch"] = {"host_delay": "0s", "min_interval": "1s", "timeout": "5s"}
    doc["storage"] = {"url": f"sqlite:///{tmp_path}/n.db"}
    return parse_config(yaml.safe_dump(doc, allow_unicode=True), file="baseline.yaml", env={})


@pytest.fixture
def news() -> Iterator[NewsServer]:
    with NewsServer() as server:
        server.page_file("/tech/ai-act.html", AI_ACT)
        server.page_file("/eu/cookie-fine.html", COOKIE_FINE)
        yield server


async def run_at(config: Config, store: Store, when: datetime) -> CheckReport:
    fetcher = Fetcher(config.fetch)
    deps = Deps(store=store, fetcher=fetcher, clock=when.timestamp, rand=lambda: 0.0)
    try:
        return await check_source(config.sources[0], config, deps)
    finally:
        await fetcher.aclose()


@pytest.mark.parametrize("fmt", ["rss090", "rss1", "rss2", "atom", "json"])
async def test_empty_feed_is_a_success_with_no_items(
    news: NewsServer, tmp_path: Path, fmt: str
) -> None:
    """A valid feed without entries, in every format, is a successful run with 0 items."""
    url = news.feed("/feed", [], fmt)
    config = make_config(tmp_path, {"id": "f", "url": url, "kind": "feed"})
    store = Store(config.database_url)
    try:
        report = await run_at(config, store, NOW)
        health = store.source_health("f")
    finally:
        store.close()
    assert report.errors == () and report.new_items == 0
    assert health.consecutive_failures == 0 and health.last_success_at is not None


def test_a_document_that_is_no_feed_is_still_a_problem() -> None:
    """An HTML page or JSON that is not a JSON Feed is reported, not taken as an empty feed."""
    html = parse_feed("<html><body><p>hi</p></body></html>", "http://x/", content_type="text/html")
    assert html.problem and html.problem.startswith("not a feed")
    assert parse_feed('{"a": 1}', "http://x/").problem == (
        "not a feed: JSON without a jsonfeed.org version"
    )


async def test_feed_that_was_empty_alerts_when_it_fills(news: NewsServer, tmp_path: Path) -> None:
    """`run --once` on an empty feed records a baseline; once the feed fills, the next
    `run --once` alerts its new item."""
    url = news.feed("/feed", [], "atom")
    config = make_config(tmp_path, {"id": "f", "url": url, "kind": "feed"})
    out = io.StringIO()
    reports, _ = await run_once(config, out=out)
    assert reports[0].errors == ()
    news.feed("/feed", [Entry("/tech/ai-act.html", "AI Act", NOW)], "atom")
    reports, delivered = await run_once(config, out=out)
    assert reports[0].alerts == 1 and delivered.sent == 1
    assert "AI Act" in out.getvalue()


@pytest.mark.parametrize("first_try", ["503", "not-a-feed", "empty-rss"])
async def test_items_after_a_failed_first_try_alert_on_the_first_success(
    news: NewsServer, tmp_path: Path, first_try: str
) -> None:
    """The first attempt fails; an hour later the feed works: the item published before the
    first attempt is recorded silently, the one published after alerts. An empty feed at the
    first attempt was a success: everything that appears later is new and alerts."""
    url = news.url("/feed")
    if first_try == "503":
        news.page("/feed", "down", status=503, content_type="text/plain")
    elif first_try == "empty-rss":
        news.feed("/feed", [], "rss2")
    else:
        news.page("/feed", "<html><body>maintenance</body></html>")
    config = make_config(tmp_path, {"id": "f", "url": url, "kind": "feed"})
    tried = NOW - timedelta(hours=1)
    store = Store(config.database_url)
    try:
        first = await run_at(config, store, tried)
        entries = [
            Entry("/eu/cookie-fine.html", "old", tried - timedelta(minutes=10)),
            Entry("/tech/ai-act.html", "new", tried + timedelta(minutes=10)),
        ]
        news.feed("/feed", entries, "rss2")
        report = await run_at(config, store, NOW)
    finally:
        store.close()
    assert report.errors == ()
    alerted = [article.url.rsplit("/", 1)[1] for article, matches in report.matches if matches]
    if first_try == "empty-rss":
        assert first.errors == ()
        assert report.alerts == 2 and sorted(alerted) == ["ai-act.html", "eu-cookie-fine.html"]
    else:
        assert first.errors != ()
        assert report.alerts == 1 and alerted == ["ai-act.html"]
        assert report.recorded_only == 1  # the old item is not even fetched


async def test_catch_up_after_a_long_outage_is_bounded(news: NewsServer, tmp_path: Path) -> None:
    """A source first tried a month ago and broken since alerts only what was published in the
    last 7 days on its first success, not a month of news."""
    news.page("/feed", "down", status=503, content_type="text/plain")
    config = make_config(tmp_path, {"id": "f", "url": news.url("/feed"), "kind": "feed"})
    store = Store(config.database_url)
    try:
        await run_at(config, store, NOW - timedelta(days=30))
        entries = [
            Entry("/eu/cookie-fine.html", "three weeks ago", NOW - timedelta(days=21)),
            Entry("/tech/ai-act.html", "yesterday", NOW - timedelta(days=1)),
        ]
        news.feed("/feed", entries, "rss2")
        report = await run_at(config, store, NOW)
    finally:
        store.close()
    assert report.alerts == 1 and report.recorded_only == 1
    assert report.matches[0][0].url.endswith("/tech/ai-act.html")
