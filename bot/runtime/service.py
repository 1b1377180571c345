"""The service layer: each function reads as a short script over the pure stages and adapters.

check_source: health says whether to run → fetch the source conditionally (unchanged: stop) →
discover its new items (feed, section page, sitemap) → fetch them → per article: canonical URL →
clean → fingerprint → match (``bot.runtime.workers``, off the event loop) → place in a story → plan
alerts → persist → health.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from bot import metrics
from bot.config import Config
from bot.delivery.alerts import plan_alerts, recipients_by_topic
from bot.errors import FetchError, FetchRejected, StorageError
from bot.fetch.client import Fetched, Fetcher
from bot.model import CONSOLE_CHAT_ID, Article, Match, PlannedAlert, Source, Validators
from bot.runtime.workers import DigestedPage, PageCrashed, PagePool, digest_page
from bot.sources.backfill import may_alert, select_items
from bot.sources.feeds import FeedItem, parse_feed
from bot.sources.health import HealthPolicy, Notice, RunResult, SourceHealth, assess
from bot.sources.listing import as_items, discover_links
from bot.sources.sitemaps import newest_first, parse_sitemap
from bot.store import Store
from bot.store.workbench import keep_article_text
from bot.stories.dedupe import place_article
from bot.wording import a_or_an

log = logging.getLogger("newsbot.service")

SITEMAP_CHILDREN = 3  # newest child sitemaps of an index read per run
_GONE = (404, 410)


@dataclass(frozen=True, slots=True)
class Deps:
    """The adapters a service function needs; ``clock`` returns UTC epoch seconds and ``rand``
    a number in [0, 1) (backoff jitter). ``pages`` digests pages off the event loop; without
    it they are digested in the caller, as a plain function call."""

    store: Store
    fetcher: Fetcher
    clock: Callable[[], float] = time.time
    rand: Callable[[], float] = random.random
    pages: PagePool | None = None


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
    skipped: str | None = None  # why the run did nothing (backing off, source unchanged)
    new_items: int = 0
    recorded_only: int = 0  # new items recorded without fetching (first run)
    copies: int = 0  # articles that were copies or edits of a story already alerted
    notice: Notice | None = None
    first_run: bool = False  # a successful first run: what exists was recorded as the baseline
    planned: tuple[PlannedAlert, ...] = ()  # the alerts of this run (what `--dry-run` prints)


@dataclass
class _Run:
    """What the fetch half of a run collected (mutable while collecting, then read)."""

    pages: list[tuple[Fetched, FeedItem | None]] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)
    validators: list[tuple[str, Validators]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    new_items: int = 0
    recorded_only: int = 0
    unchanged: bool = False


async def check_source(source: Source, config: Config, deps: Deps) -> CheckReport:
    """Run one source once. Never raises for a bad page or feed: errors are in the report."""
    now = deps.clock()
    health = deps.store.source_health(source.id)
    if health.next_check_at is not None and now < health.next_check_at:
        wait = health.next_check_at - now
        return CheckReport(source.id, skipped=f"resting {wait:.0f}s after failures")
    run = _Run()
    try:
        await _collect(source, config, deps, health, run)
    except FetchError as exc:
        log.warning("source %s: %s", source.id, exc)
        result = RunResult(now=now, error=str(exc), retry_after=exc.retry_after)
        notice = _finish(source, config, deps, health, result, run)
        return CheckReport(source.id, errors=(str(exc),), notice=notice)
    except (StorageError, MemoryError):
        raise
    except Exception as exc:  # a parser's bug on a hostile document: still a failed run
        log.exception("source %s: unexpected error while reading it", source.id)
        error = f"unexpected error while reading the source: {type(exc).__name__}: {exc}"
        notice = _finish(source, config, deps, health, RunResult(now=now, error=error), run)
        return CheckReport(source.id, errors=(error,), notice=notice)
    if run.unchanged:
        notice = _finish(source, config, deps, health, RunResult(now=now), run)
        return CheckReport(source.id, skipped="unchanged", notice=notice)

    report = CheckReport(
        source.id,
        new_items=run.new_items,
        recorded_only=run.recorded_only,
        first_run=health.first_run,
    )
    digested = await asyncio.gather(*(_digest(source, config, deps, f) for f, _ in run.pages))
    for (_, item), page in zip(run.pages, digested, strict=True):
        if isinstance(page, PageCrashed):
            log.error("source %s: %s", source.id, page)
            run.errors.append(str(page))
            if item is not None and item.key in run.seen:
                run.seen.remove(item.key)  # not taken: fetch it again next run
            run.validators.clear()  # and do not take the source as unchanged next run
            continue
        report = _merge(report, _take_article(source, config, deps, health, page, item))
    blocked_only = report.pages > 0 and report.blocked == report.pages
    result = RunResult(
        now=now,
        error="; ".join(run.errors) if run.errors and not run.pages and not run.seen else None,
        new_items=run.new_items,
        pages=report.pages,
        blocked=report.blocked if blocked_only or source.kind == "page" else 0,
    )
    notice = _finish(source, config, deps, health, result, run)
    return replace(report, errors=tuple(run.errors), notice=notice)


async def _collect(
    source: Source, config: Config, deps: Deps, health: SourceHealth, run: _Run
) -> None:
    """Fetch the source and, for feeds, section pages and sitemaps, its new items."""
    fetched = await _watched(source, source.url, deps, run)
    if fetched is None:
        run.unchanged = True
        return
    if source.kind == "page":
        run.pages.append((fetched, None))
        run.new_items = 1
        return
    limit = config.fetch.max_feed_items
    if source.kind == "feed":
        feed = parse_feed(fetched.text, fetched.url, content_type=fetched.content_type, limit=limit)
        if feed.problem:
            raise FetchError(source.url, feed.problem)
        items = feed.items
    elif source.kind == "listing":
        items = as_items(discover_links(fetched.text, fetched.url, selector=source.selector))
        if not items:
            raise FetchError(source.url, "no article links found on the page")
    else:
        items = await _sitemap_items(source, fetched, deps, run, limit)
    unseen = deps.store.unseen_items(source.id, [item.key for item in items])
    chosen = select_items(
        items,
        set(unseen),
        first_run=health.first_run,
        backfill_s=source.backfill_s,
        now=deps.clock(),
        limit=limit,
        tried_at=health.first_run_at,
    )
    run.new_items = len(unseen)
    run.recorded_only = len(chosen.record_only)
    run.seen += [item.key for item in chosen.record_only]
    answers = await asyncio.gather(
        *(_item(source, item, deps) for item in chosen.fetch), return_exceptions=False
    )
    for item, answer in zip(chosen.fetch, answers, strict=True):
        if isinstance(answer, Fetched):
            run.pages.append((answer, item))
            run.seen.append(item.key)
            continue
        run.errors.append(str(answer))
        if isinstance(answer, FetchRejected) or answer.status in _GONE:
            run.seen.append(item.key)  # will not get better: do not ask again


async def _watched(source: Source, url: str, deps: Deps, run: _Run) -> Fetched | None:
    """A URL we poll: conditional request; None when it has not changed since last time."""
    previous = deps.store.fetch_validators(url)
    fetched = await deps.fetcher.get(url, validators=previous, ignore_robots=source.ignore_robots)
    if fetched.unchanged_since(previous):
        if fetched.not_modified and previous is not None:
            run.validators.append((url, _refreshed(previous, fetched)))
        return None
    run.validators.append((url, fetched.validators()))
    return fetched


async def _item(source: Source, item: FeedItem, deps: Deps) -> Fetched | FetchError:
    try:
        return await deps.fetcher.get(item.link, ignore_robots=source.ignore_robots)
    except FetchError as exc:
        log.warning("source %s: item %s: %s", source.id, item.link, exc)
        return exc


async def _sitemap_items(
    source: Source, fetched: Fetched, deps: Deps, run: _Run, limit: int
) -> tuple[FeedItem, ...]:
    sitemap = parse_sitemap(fetched.body)
    if sitemap.problem:
        raise FetchError(source.url, sitemap.problem)
    items = list(sitemap.items)
    for child in newest_first(sitemap.children, SITEMAP_CHILDREN):
        try:
            child_fetched = await _watched(source, child.link, deps, run)
        except FetchError as exc:
            run.errors.append(str(exc))
            continue
        if child_fetched is not None:
            items += parse_sitemap(child_fetched.body).items
    return newest_first(tuple(items), limit * 4)


@metrics.timed(metrics.DIGEST_SECONDS)
async def _digest(
    source: Source, config: Config, deps: Deps, fetched: Fetched
) -> DigestedPage | PageCrashed:
    """Clean, fingerprint and match one fetched page, in a worker when there is a pool."""
    if deps.pages is None:
        return digest_page(fetched.text, fetched.url, config.rules, source.id)
    try:
        return await deps.pages.digest(fetched.text, fetched.url, config.rules, source.id)
    except PageCrashed as exc:
        return exc


def _take_article(
    source: Source,
    config: Config,
    deps: Deps,
    health: SourceHealth,
    page: DigestedPage,
    item: FeedItem | None,
) -> CheckReport:
    """Place and record one digested article and plan its alerts; a one-article report."""
    now = deps.clock()
    article, print_, matches = page.article, page.fingerprint, page.matches
    keep_article_text(
        deps.store, source_id=source.id, article=article, matched=(m.topic_id for m in matches),
        now=now, keep_s=config.web.keep_text_s,
    )  # fmt: skip
    url = article.url or ""
    if article.blocked:
        log.info("source %s: %s is a consent or subscription wall", source.id, url)
        same_url, _ = deps.store.story_context(url, None, since=now)
        placement = place_article(None, same_url=same_url, candidates=(), threshold=1.0)
        deps.store.record_article(
            source_id=source.id, now=now, article=article, fingerprint=None, placement=placement
        )
        metrics.article_taken(article, (), None, 0)
        return CheckReport(source.id, pages=1, blocked=1)
    same_url, candidates = deps.store.story_context(
        url, print_, since=now - config.fetch.story_window_s
    )
    placement = place_article(
        print_,
        same_url=same_url,
        candidates=candidates,
        threshold=config.fetch.story_similarity,
    )
    alertable = may_alert(
        item,
        article.published,
        first_run=health.first_run,
        backfill_s=source.backfill_s,
        now=now,
        tried_at=health.first_run_at,
    )
    already = (
        deps.store.story_alerted_topics(placement.story_id)
        if placement.story_id is not None
        else set()
    )
    # Not alertable (first run, outside the backfill): the alerts are recorded without
    # recipients, so the story is known and a later edit of it does not alert either.
    recipients = (
        recipients_by_topic(
            [m.topic_id for m in matches],
            subscribers=deps.store.subscribers_of(m.topic_id for m in matches),
            channels=_current_channels(deps.store, config.telegram.channels),
            extra=() if config.telegram.token else (CONSOLE_CHAT_ID,),
        )
        if alertable
        else {}
    )
    planned = plan_alerts(
        article, matches, source_id=source.id, already_alerted=already, recipients=recipients
    )
    if placement.relation in ("copy", "edit") and placement.of is not None:
        log.info(
            "source %s: %s is %s of %s (similarity %.2f)",
            source.id,
            url,
            a_or_an(placement.relation),
            placement.of.url,
            placement.similarity,
        )
    _, deliveries = deps.store.record_article(
        source_id=source.id,
        now=now,
        article=article,
        fingerprint=print_,
        placement=placement,
        planned=planned,
    )
    metrics.article_taken(article, matches, placement.relation, len(planned) if alertable else 0)
    return CheckReport(
        source.id,
        pages=1,
        matches=((article, matches),),
        alerts=len(planned) if alertable else 0,
        planned=planned if alertable else (),
        deliveries=tuple(deliveries),
        copies=1 if placement.relation in ("copy", "edit", "same") else 0,
    )


def _merge(report: CheckReport, one: CheckReport) -> CheckReport:
    return replace(
        report,
        pages=report.pages + one.pages,
        blocked=report.blocked + one.blocked,
        matches=report.matches + one.matches,
        alerts=report.alerts + one.alerts,
        deliveries=report.deliveries + one.deliveries,
        copies=report.copies + one.copies,
        planned=report.planned + one.planned,
    )


def _finish(
    source: Source,
    config: Config,
    deps: Deps,
    health: SourceHealth,
    result: RunResult,
    run: _Run,
) -> Notice | None:
    """Assess health, persist the end of the run, return the notice for admins, if any."""
    policy = HealthPolicy(
        interval_s=source.interval_s,
        failures_before_notice=config.fetch.failures_before_notice,
        backoff_max_s=config.fetch.backoff_max_s,
        expect_new_s=source.expect_new_s,
    )
    new_health, notice = assess(health, result, policy, rand=deps.rand())
    deps.store.record_run(
        source.id,
        now=result.now,
        health=new_health,
        seen_keys=run.seen,
        fetched=run.validators if result.error is None else (),
    )
    return notice


def _refreshed(previous: Validators, fetched: Fetched) -> Validators:
    return Validators(
        fetched.etag or previous.etag,
        fetched.last_modified or previous.last_modified,
        previous.content_hash,
    )


def _current_channels(
    store: Store, channels: Sequence[tuple[int, Sequence[str]]]
) -> list[tuple[int, Sequence[str]]]:
    """Configured chats under their current ids: a group in config that has since become a
    supergroup gets its alerts at the new id directly (the move was logged when it happened)."""
    current = store.current_chat_ids(chat_id for chat_id, _ in channels)
    return [(current[chat_id], topics) for chat_id, topics in channels]
