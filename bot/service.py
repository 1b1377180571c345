"""The service layer: each function reads as a short script over the pure stages and adapters.

check_source: fetch → clean → match → plan alerts → persist in one transaction.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bot.alerts import plan_alerts, recipients_by_topic
from bot.canonical import canonical_url, host_of
from bot.clean import clean_page
from bot.config import Config
from bot.errors import FetchError
from bot.feeds import parse_feed
from bot.fetch import Fetched, Fetcher
from bot.model import CONSOLE_CHAT_ID, Article, Match, PlannedAlert, Source
from bot.store import Store

log = logging.getLogger("newsbot.service")


@dataclass(frozen=True, slots=True)
class Deps:
    """The adapters a service function needs; ``clock`` returns UTC epoch seconds."""

    store: Store
    fetcher: Fetcher
    clock: Callable[[], float] = time.time


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What one run of a source did."""

    source_id: str
    pages: int = 0
    blocked: int = 0
    matches: tuple[tuple[Article, tuple[Match, ...]], ...] = ()
    alerts: int = 0
    deliveries: tuple[int, ...] = ()
    errors: tuple[str, ...] = field(default=())


async def check_source(source: Source, config: Config, deps: Deps) -> CheckReport:
    """Run one source once. Never raises for a bad page or feed: errors are in the report."""
    errors: list[str] = []
    try:
        pages, seen_keys = await _fetch_source(source, config, deps, errors)
    except FetchError as exc:
        log.warning("source %s: %s", source.id, exc)
        deps.store.record_source_result(source.id, now=deps.clock(), error=str(exc))
        return CheckReport(source_id=source.id, errors=(str(exc),))

    found: list[tuple[Article, tuple[PlannedAlert, ...]]] = []
    matched: list[tuple[Article, tuple[Match, ...]]] = []
    for fetched in pages:
        article = clean_page(fetched.text, fetched.url)
        url = canonical_url(article.url or fetched.url)
        article = _with_url(article, url)
        if article.blocked:
            log.info("source %s: %s is a consent or subscription wall", source.id, url)
            found.append((article, ()))
            continue
        matches = config.rules.match(article, source_id=source.id, source_host=host_of(url))
        matched.append((article, matches))
        recipients = recipients_by_topic(
            [m.topic_id for m in matches],
            subscribers=deps.store.subscribers_of(m.topic_id for m in matches),
            channels=config.telegram.channels,
            extra=() if config.telegram.token else (CONSOLE_CHAT_ID,),
        )
        planned = plan_alerts(
            article,
            matches,
            source_id=source.id,
            already_alerted=deps.store.alerted_topics(url),
            recipients=recipients,
        )
        found.append((article, planned))

    deliveries = deps.store.record_check(
        source_id=source.id,
        now=deps.clock(),
        articles_found=found,
        seen_keys=seen_keys,
        errors=errors,
    )
    return CheckReport(
        source_id=source.id,
        pages=len(pages),
        blocked=sum(1 for article, _ in found if article.blocked),
        matches=tuple(matched),
        alerts=sum(len(planned) for _, planned in found),
        deliveries=tuple(deliveries),
        errors=tuple(errors),
    )


async def _fetch_source(
    source: Source, config: Config, deps: Deps, errors: list[str]
) -> tuple[list[Fetched], list[str]]:
    """The pages to clean for this run, and the feed item keys to record as seen."""
    fetched = await deps.fetcher.get(source.url)
    if source.kind == "page":
        return [fetched], []
    feed = parse_feed(fetched.text, fetched.url, limit=config.fetch.max_feed_items)
    if feed.problem:
        raise FetchError(source.url, feed.problem)
    new_keys = set(deps.store.unseen_items(source.id, [item.key for item in feed.items]))
    pages: list[Fetched] = []
    done: list[str] = []
    for item in feed.items:
        if item.key not in new_keys:
            continue
        try:
            pages.append(await deps.fetcher.get(item.link))
            done.append(item.key)
        except FetchError as exc:
            # Not marked seen: the item is tried again on the next run.
            log.warning("source %s: item %s: %s", source.id, item.link, exc)
            errors.append(str(exc))
    return pages, done


def _with_url(article: Article, url: str) -> Article:
    return replace(article, url=url)
