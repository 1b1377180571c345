"""Source kinds over a local news site: feeds in every format, section pages, sitemaps and
sitemap indexes; first runs record without alerting, backfill alerts recent items; polls
are conditional and an unchanged source is not parsed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import Config, parse_config
from bot.fetch.client import Fetcher
from bot.runtime.service import CheckReport, Deps, check_source
from bot.sources.feeds import parse_feed
from bot.sources.listing import discover_links
from bot.sources.sitemaps import parse_sitemap
from bot.store import Store
from tests.conftest import FIXTURES
from tests.fakes.news_server import Entry, NewsServer

SEED = FIXTURES / "pages" / "seed-inline-notice.html"
NOW = datetime.now(UTC)
ARTICLES = [f"/world/2025/11/{n:02d}/story-about-thing-{n}" for n in range(1, 4)]


def make_config(sources: list[dict[str, Any]]) -> Config:
    doc = yaml.safe_load((FIXTURES / "sources" / "newsbot.yaml").read_text(encoding="utf-8"))
    doc["sources"] = sources
    return parse_config(yaml.safe_dump(doc), file="sources-test.yaml")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = Store(f"sqlite:///{tmp_path}/n.db")
    yield db
    db.close()


@pytest.fixture
def news() -> Iterator[NewsServer]:
    with NewsServer() as server:
        for path in ARTICLES:
            server.page_file(path, SEED)
        yield server


async def run(config: Config, store: Store, source_id: str) -> CheckReport:
    source = config.source(source_id)
    assert source is not None
    fetcher = Fetcher(config.fetch)
    try:
        return await check_source(source, config, Deps(store=store, fetcher=fetcher))
    finally:
        await fetcher.aclose()


@pytest.mark.parametrize("fmt", ["rss090", "rss1", "rss2", "atom", "json"])
async def test_every_feed_format_gives_items_with_identity(news: NewsServer, fmt: str) -> None:
    """RSS 0.90, RSS 1.0, RSS 2.0, Atom and JSON Feed all yield links, keys and titles."""
    entries = [Entry(p, f"Story {i}", NOW - timedelta(hours=i)) for i, p in enumerate(ARTICLES)]
    news.feed("/feed", entries, fmt)
    fetcher = Fetcher(make_config([]).fetch)
    try:
        fetched = await fetcher.get(news.url("/feed"))
    finally:
        await fetcher.aclose()
    feed = parse_feed(fetched.text, fetched.url)
    assert feed.problem is None
    assert [i.link for i in feed.items] == [news.url(p) for p in ARTICLES]
    assert [i.title for i in feed.items] == ["Story 0", "Story 1", "Story 2"]
    assert len({i.key for i in feed.items}) == 3
    if fmt != "rss090":  # RSS 0.90 has no dates
        assert all(i.published for i in feed.items)


def test_section_page_links_are_articles_only(news: NewsServer) -> None:
    """On a section front only the article teasers are found, not nav, tags, login or footer."""
    news.section("/world/", ARTICLES)
    html = news.routes["/world/"].body.decode()
    assert discover_links(html, news.url("/world/")) == tuple(news.url(p) for p in ARTICLES)


def test_css_selector_picks_the_configured_links(news: NewsServer) -> None:
    """A `selector:` chooses links by CSS, here only the first teaser's."""
    news.section("/world/", ARTICLES)
    html = news.routes["/world/"].body.decode()
    found = discover_links(html, news.url("/world/"), selector="main article:first-child h2")
    assert found == (news.url(ARTICLES[0]),)


def test_sitemap_and_index_are_read_with_dates(news: NewsServer) -> None:
    """A news sitemap gives locs with publication dates; an index gives its child sitemaps."""
    news.sitemap("/sm-1.xml", [Entry(p, "t", NOW) for p in ARTICLES])
    news.sitemap_index("/sitemap.xml", [Entry("/sm-1.xml", published=NOW)])
    child = parse_sitemap(news.routes["/sm-1.xml"].body)
    index = parse_sitemap(news.routes["/sitemap.xml"].body)
    assert [i.link for i in child.items] == [news.url(p) for p in ARTICLES]
    assert all(i.published and abs((i.published - NOW).total_seconds()) < 1 for i in child.items)
    assert [c.link for c in index.children] == [news.url("/sm-1.xml")] and not index.items


async def test_first_run_records_without_fetching_items(news: NewsServer, store: Store) -> None:
    """A new feed without backfill: items recorded as seen, none fetched, nothing alerted."""
    news.feed("/feed.xml", [Entry(p, "t", NOW) for p in ARTICLES])
    config = make_config([{"id": "f", "url": news.url("/feed.xml"), "kind": "feed"}])
    report = await run(config, store, "f")
    assert report.pages == 0 and report.alerts == 0 and report.recorded_only == 3
    assert all(news.hits(p) == 0 for p in ARTICLES)
    assert store.unseen_items("f", [news.url(p) for p in ARTICLES]) == []


async def test_backfill_fetches_only_recent_items(news: NewsServer, store: Store) -> None:
    """With backfill: 1d the first run fetches the item of an hour ago, not last week's."""
    old, recent = ARTICLES[0], ARTICLES[1]
    news.feed("/feed.xml", [Entry(old, "o", NOW - timedelta(days=7)), Entry(recent, "r", NOW)])
    config = make_config(
        [{"id": "f", "url": news.url("/feed.xml"), "kind": "feed", "backfill": "1d"}]
    )
    report = await run(config, store, "f")
    assert report.pages == 1 and report.recorded_only == 1
    assert news.hits(recent) == 1 and news.hits(old) == 0


async def test_new_item_found_by_identity_not_date(news: NewsServer, store: Store) -> None:
    """An item added later with an older date than the rest is still new and fetched."""
    news.feed("/feed.xml", [Entry(ARTICLES[0], "a", NOW)])
    config = make_config([{"id": "f", "url": news.url("/feed.xml"), "kind": "feed"}])
    await run(config, store, "f")
    news.feed(
        "/feed.xml",
        [Entry(ARTICLES[0], "a", NOW), Entry(ARTICLES[1], "late", NOW - timedelta(days=3))],
    )
    report = await run(config, store, "f")
    assert report.pages == 1 and news.hits(ARTICLES[1]) == 1 and news.hits(ARTICLES[0]) == 0


async def test_second_poll_is_304_and_parses_nothing(news: NewsServer, store: Store) -> None:
    """The second poll of an unchanged feed is conditional, answered 304, and nothing parsed."""
    news.feed("/feed.xml", [Entry(p, "t", NOW) for p in ARTICLES], validators=True)
    config = make_config([{"id": "f", "url": news.url("/feed.xml"), "kind": "feed"}])
    await run(config, store, "f")
    report = await run(config, store, "f")
    assert news.statuses("/feed.xml") == [200, 304]
    assert report.skipped == "unchanged" and report.pages == 0 and report.new_items == 0


async def test_unchanged_body_without_validators_is_not_parsed(
    news: NewsServer, store: Store
) -> None:
    """A server without ETag sends the same feed again; its hash stops the run before parsing."""
    news.feed("/feed.xml", [Entry(p, "t", NOW) for p in ARTICLES])
    config = make_config([{"id": "f", "url": news.url("/feed.xml"), "kind": "feed"}])
    await run(config, store, "f")
    news.page_file(ARTICLES[0], SEED)
    report = await run(config, store, "f")
    assert news.statuses("/feed.xml") == [200, 200]
    assert report.skipped == "unchanged" and report.new_items == 0


async def test_listing_source_fetches_new_articles(news: NewsServer, store: Store) -> None:
    """A section page: first run records its links; a new teaser is fetched next time."""
    news.section("/world/", ARTICLES[:2])
    config = make_config([{"id": "w", "url": news.url("/world/"), "kind": "listing"}])
    first = await run(config, store, "w")
    news.section("/world/", ARTICLES)
    second = await run(config, store, "w")
    assert first.recorded_only == 2 and first.pages == 0
    assert second.pages == 1 and news.hits(ARTICLES[2]) == 1
    assert news.hits("/login") == 0 and news.hits("/tag/politics") == 0


async def test_sitemap_index_source_reads_children(news: NewsServer, store: Store) -> None:
    """A sitemap index: its newest child is read; recent articles are fetched on backfill."""
    news.sitemap("/sm-old.xml", [Entry(ARTICLES[0], "t", NOW - timedelta(days=30))])
    news.sitemap("/sm-new.xml", [Entry(p, "t", NOW) for p in ARTICLES[1:]], validators=True)
    news.sitemap_index(
        "/sitemap.xml",
        [Entry("/sm-old.xml", published=NOW - timedelta(days=30)), Entry("/sm-new.xml", None, NOW)],
    )
    source = {"id": "s", "url": news.url("/sitemap.xml"), "kind": "sitemap", "backfill": "1d"}
    config = make_config([source])
    report = await run(config, store, "s")
    assert report.pages == 2 and report.recorded_only == 1
    assert news.hits(ARTICLES[0]) == 0


async def test_robots_disallowed_item_is_reported_not_fetched(
    news: NewsServer, store: Store
) -> None:
    """An item under a disallowed path is reported as an error, never requested, not retried."""
    news.robots("User-agent: *\nDisallow: /world/2025/11/02/\n")
    news.feed("/feed.xml", [Entry(ARTICLES[0], "a", NOW)])
    config = make_config([{"id": "f", "url": news.url("/feed.xml"), "kind": "feed"}])
    await run(config, store, "f")
    news.feed("/feed.xml", [Entry(p, "t", NOW) for p in ARTICLES])
    report = await run(config, store, "f")
    assert any("robots.txt" in e for e in report.errors)
    assert news.hits(ARTICLES[1]) == 0 and news.hits(ARTICLES[2]) == 1
    assert store.unseen_items("f", [news.url(ARTICLES[1])]) == []


async def test_ignore_robots_source_fetches_disallowed_feed(news: NewsServer, store: Store) -> None:
    """`ignore_robots: true` on a source fetches a feed robots.txt disallows."""
    news.robots("User-agent: *\nDisallow: /\n")
    news.feed("/feed.xml", [Entry(ARTICLES[0], "a", NOW)])
    polite = make_config([{"id": "f", "url": news.url("/feed.xml"), "kind": "feed"}])
    assert (await run(polite, store, "f")).errors
    rude = make_config(
        [{"id": "g", "url": news.url("/feed.xml"), "kind": "feed", "ignore_robots": True}]
    )
    assert not (await run(rude, store, "g")).errors
    assert news.hits("/feed.xml") == 1
