"""One story, one alert: syndicated copies on other sites and light edits do not alert again;
a substantially new version does. Real article text served by local news sites."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.clean import clean_page
from bot.config import Config, parse_config
from bot.fetch.client import Fetcher
from bot.runtime.service import CheckReport, Deps, check_source
from bot.store import Store
from tests.conftest import FIXTURES
from tests.fakes.news_server import Entry, NewsServer

# Two real pages of the article benchmark, shipped with their licence (see its README.md).
PAGES = FIXTURES / "article-benchmark"
ALIBABA = next(PAGES.glob("360c732d1fdbfc68*.html.gz"))  # an agency-sourced listing story
EMIRATES = next(PAGES.glob("374ac9a59a85196c*.html.gz"))  # another story, for new text


def real_html(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8")


def paragraphs(path: Path) -> tuple[str, ...]:
    return clean_page(real_html(path)).paragraphs


def reprint(title: str, body: tuple[str, ...], site: str) -> str:
    """The agency text as another outlet prints it: its own template, nav and footer."""
    paras = "".join(f"<p>{escape(p)}</p>" for p in body)
    return (
        f"<!doctype html><html lang='en'><head><title>{escape(title)} | {site}</title>"
        f"<meta property='og:title' content='{escape(title)}'></head><body>"
        f"<nav><a href='/'>{site}</a> <a href='/business/'>Business</a></nav>"
        f"<article><h1>{escape(title)}</h1><p class='byline'>By Staff and agencies</p>"
        f"{paras}</article><footer>© {site}. All rights reserved.</footer></body></html>"
    )


def make_config(sources: list[dict[str, Any]]) -> Config:
    doc = yaml.safe_load((FIXTURES / "sources" / "newsbot.yaml").read_text(encoding="utf-8"))
    doc["sources"] = sources
    return parse_config(yaml.safe_dump(doc), file="sources-test.yaml")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = Store(f"sqlite:///{tmp_path}/n.db")
    yield db
    db.close()


async def run(config: Config, store: Store, source_id: str) -> CheckReport:
    source = config.source(source_id)
    assert source is not None
    fetcher = Fetcher(config.fetch)
    try:
        return await check_source(source, config, Deps(store=store, fetcher=fetcher))
    finally:
        await fetcher.aclose()


def feed_source(source_id: str, server: NewsServer) -> dict[str, Any]:
    return {
        "id": source_id,
        "url": server.url("/feed.xml"),
        "kind": "feed",
        "backfill": "1d",
    }


async def test_same_agency_story_on_three_sites_alerts_once(store: Store) -> None:
    """The agency story on three outlets: one alert, the two reprints recorded as copies."""
    title = "Alibaba to raise up to $12.9bn in landmark Hong Kong listing"
    body = paragraphs(ALIBABA)
    now = datetime.now(UTC)
    with NewsServer() as one, NewsServer() as two, NewsServer() as three:
        one.page("/business/alibaba-listing", real_html(ALIBABA))
        two.page("/markets/2019/11/20/alibaba-hk", reprint(title, body, "Daily Two"))
        three.page("/news/alibaba-12-9bn", reprint(title, body[:-1], "Three Herald"))
        one.feed("/feed.xml", [Entry("/business/alibaba-listing", title, now)])
        two.feed("/feed.xml", [Entry("/markets/2019/11/20/alibaba-hk", title, now)], "atom")
        three.feed("/feed.xml", [Entry("/news/alibaba-12-9bn", title, now)], "json")
        config = make_config(
            [feed_source("one", one), feed_source("two", two), feed_source("three", three)]
        )
        reports = [await run(config, store, sid) for sid in ("one", "two", "three")]
    assert [r.alerts for r in reports] == [1, 0, 0]
    assert [r.copies for r in reports] == [0, 1, 1]
    assert all(r.matches[0][1] for r in reports), "each copy matches the topic on its own"
    assert store.delivery_counts() == {"pending": 1}
    [context] = store.story_contexts([(reports[0].matches[0][0].url or "", None)], since=0)
    story = context.same_url
    assert story is not None
    reported_by = [source for source, _ in store.also_reported_by(story.story_id)]
    assert reported_by == ["one", "two", "three"]


async def test_light_edit_does_not_alert_and_new_development_does(store: Store) -> None:
    """The feed re-lists the article as updated: a light edit is silent, a rewrite alerts."""
    html = real_html(ALIBABA)
    path = "/business/alibaba-listing"
    title = "Alibaba to raise up to $12.9bn in landmark Hong Kong listing"
    now = datetime.now(UTC)
    with NewsServer() as site:
        site.page(path, html)
        site.feed("/feed.xml", [Entry(path, title, now, guid="alibaba-v1")])
        config = make_config([feed_source("site", site)])
        first = await run(config, store, "site")

        edited = html.replace("record-breaking second listing", "record second listing", 1)
        edited = edited.replace("is likely to be", "is expected to be", 1)
        assert edited.count("record second listing") == 1
        site.page(path, edited)
        site.feed("/feed.xml", [Entry(path, title, now, guid="alibaba-v2")])
        after_edit = await run(config, store, "site")

        new_title = "Alibaba shares jump 6% in Hong Kong debut after record listing"
        development = reprint(new_title, paragraphs(ALIBABA)[:1] + paragraphs(EMIRATES), "x")
        site.page(path, development)
        site.feed("/feed.xml", [Entry(path, new_title, now, guid="alibaba-v3")])
        after_rewrite = await run(config, store, "site")
    assert first.alerts == 1
    assert after_edit.pages == 1 and after_edit.alerts == 0 and after_edit.copies == 1
    assert after_rewrite.pages == 1 and after_rewrite.alerts == 1
    assert store.delivery_counts() == {"pending": 2}


async def test_watched_page_edits_and_developments(store: Store) -> None:
    """A `page` source: first run records silently, unchanged is skipped, an edit is silent,
    a substantially new text alerts."""
    html = real_html(ALIBABA)
    with NewsServer() as site:
        site.page("/live/alibaba", html, validators=True)
        config = make_config([{"id": "live", "url": site.url("/live/alibaba"), "kind": "page"}])
        first = await run(config, store, "live")
        unchanged = await run(config, store, "live")
        site.page("/live/alibaba", html.replace("is likely to be", "is expected to be", 1))
        edited = await run(config, store, "live")
        site.page(
            "/live/alibaba",
            reprint(
                "Alibaba shares jump in Hong Kong debut",
                paragraphs(ALIBABA)[:1] + paragraphs(EMIRATES),
                "x",
            ),
        )
        developed = await run(config, store, "live")
        statuses = site.statuses("/live/alibaba")
    assert first.pages == 1 and first.alerts == 0 and first.matches[0][1]
    assert unchanged.skipped == "unchanged" and unchanged.pages == 0
    assert statuses[:2] == [200, 304]
    assert edited.pages == 1 and edited.alerts == 0
    assert developed.pages == 1 and developed.alerts == 1
