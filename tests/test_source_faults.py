"""Hostile feeds and sitemaps: an XML entity bomb is refused at once, a sitemap index that lists
itself ends after one extra request, and both runs end with a health record."""

from __future__ import annotations

import time
from pathlib import Path

import yaml

from bot.config import Config, parse_config
from bot.fetch.client import Fetcher
from bot.runtime.service import CheckReport, Deps, check_source
from bot.sources.feeds import parse_feed
from bot.sources.sitemaps import parse_sitemap
from bot.store import Store
from tests.fakes.news_server import Entry, NewsServer


def entity_bomb(root: str, body: str) -> str:
    """The XML billion laughs: ten levels of entities, each ten of the one below."""
    decls = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    return f'<?xml version="1.0"?><!DOCTYPE {root} [{"".join(decls)}]>{body}'


RSS_BOMB = entity_bomb(
    "rss",
    '<rss version="2.0"><channel><title>&lol9;</title>'
    "<item><title>&lol9;</title><link>http://127.0.0.1/a</link></item></channel></rss>",
)
SITEMAP_BOMB = entity_bomb(
    "urlset",
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    "<url><loc>http://127.0.0.1/&lol9;</loc></url></urlset>",
)


def make_config(tmp_path: Path, source: dict[str, str]) -> Config:
    doc = {"sources": [source], "fetch": {"host_delay": "0s"}}
    doc["storage"] = {"url": f"sqlite:///{tmp_path}/n.db"}
    return parse_config(yaml.safe_dump(doc), file="faults.yaml", env={})


async def run(config: Config, store: Store) -> CheckReport:
    fetcher = Fetcher(config.fetch)
    try:
        return await check_source(config.sources[0], config, Deps(store=store, fetcher=fetcher))
    finally:
        await fetcher.aclose()


def test_feed_entity_bomb_is_refused_at_once() -> None:
    """A feed whose DOCTYPE nests entities is refused in milliseconds (feedparser's fallback
    parser would spend ~10 s on it, on the event loop); simple entities still work."""
    # CPU time of this process, not wall time: the expansion is work, and other processes on a
    # loaded machine stretch wall time without it.
    started = time.process_time()
    feed = parse_feed(RSS_BOMB, "http://127.0.0.1/", content_type="application/rss+xml")
    assert time.process_time() - started < 0.5
    assert feed.problem == "not a feed: refused, it declares XML entities that expand others"
    nbsp = RSS_BOMB.split("[", 1)[0] + '[<!ENTITY nbsp "&#160;">]>' + RSS_BOMB.split("]>", 1)[1]
    nbsp = nbsp.replace("&lol9;", "a&nbsp;b")
    assert parse_feed(nbsp, "http://127.0.0.1/").items[0].title == "a\xa0b"


def test_sitemap_entity_bomb_is_not_expanded() -> None:
    """lxml reads a sitemap without expanding entities: no blow-up, the entity is left out."""
    started = time.process_time()  # the work done, whatever the machine's load (see above)
    sitemap = parse_sitemap(SITEMAP_BOMB.encode())
    assert time.process_time() - started < 0.5
    assert [item.link for item in sitemap.items] == ["http://127.0.0.1/"]


async def test_feed_entity_bomb_source_gets_a_health_record(
    news: NewsServer, tmp_path: Path
) -> None:
    """A source serving the bomb fails its run with the reason, recorded in its health."""
    url = news.page("/feed.xml", RSS_BOMB, content_type="application/rss+xml")
    config = make_config(tmp_path, {"id": "bomb", "url": url, "kind": "feed"})
    store = Store(config.database_url)
    try:
        report = await run(config, store)
        health = store.source_health("bomb")
    finally:
        store.close()
    assert "declares XML entities" in report.errors[0]
    assert health.consecutive_failures == 1


async def test_sitemap_index_listing_itself_ends(news: NewsServer, tmp_path: Path) -> None:
    """A sitemap index whose child is itself is read once more and no further: the run ends
    as a success with nothing new."""
    url = news.sitemap_index("/sitemap.xml", [Entry("/sitemap.xml")])
    config = make_config(tmp_path, {"id": "s", "url": url, "kind": "sitemap"})
    store = Store(config.database_url)
    try:
        report = await run(config, store)
        health = store.source_health("s")
    finally:
        store.close()
    assert report.errors == () and report.new_items == 0
    assert news.hits("/sitemap.xml") == 2
    assert health.consecutive_failures == 0
