"""The service layer: each function reads as a short script over the pure stages and adapters.

check_source: load (health says whether to run) → fetch the source conditionally (unchanged:
stop) → discover its new items (feed, section page, sitemap) and fetch them → digest each page:
canonical URL, clean, fingerprint, match (``bot.runtime.workers``, off the event loop) → read
the stories around them → plan, pure: each article's story and alerts
(``bot.delivery.plan``), the run's verdict (``bot.sources.verdict``) and the source's health
(``bot.sources.health``) → persist the whole run in one transaction (``RunStore.record_run``),
which enqueues the deliveries. The store is seen through its port, ``bot.store.ports.RunStore``.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot import metrics
from bot.config import Config
from bot.delivery.plan import ArticlePlan, ArticlePolicy, Digested, SourceRun, plan_articles
from bot.errors import FetchError, FetchRejected, StorageError
from bot.fetch.client import Fetched, Fetcher
from bot.model import CONSOLE_CHAT_ID, Article, Match, PlannedAlert, Source, Validators
from bot.runtime.workers import DigestedPage, PageCrashed, PagePool, digest_page
from bot.sources.backfill import select_items
from bot.sources.feeds import FeedItem, parse_feed
from bot.sources.health import HealthPolicy, Notice, RunResult, SourceHealth, assess
from bot.sources.listing import as_items, discover_links
from bot.sources.sitemaps import newest_first, parse_sitemap
from bot.sources.verdict import gives_up, run_result
from bot.store.ports import RunStore
from bot.wording import a_or_an

log = logging.getLogger("newsbot.service")

SITEMAP_CHILDREN = 3  # newest child sitemaps of an index read per run


@dataclass(frozen=True, slots=True)
class Deps:
    """The adapters a service function needs; ``clock`` returns UTC epoch seconds and ``rand``
    a number in [0, 1) (backoff jitter). ``pages`` digests pages off the event loop; without
    it they are digested in the caller, as a plain function call. ``keep_texts`` keeps the
    run's cleaned articles for the web workbench (source id, plans, now)."""

    store: RunStore
    fetcher: Fetcher
    clock: Callable[[], float] = time.time
    rand: Callable[[], float] = random.random
    pages: PagePool | None = None
    keep_texts: Callable[[str, Sequence[ArticlePlan], float], None] | None = None


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
        notice, _ = _finish(source, config, deps, health, result, run)
        return CheckReport(source.id, errors=(str(exc),), notice=notice)
    except (StorageError, MemoryError):
        raise
    except Exception as exc:  # a parser's bug on a hostile document: still a failed run
        log.exception("source %s: unexpected error while reading it", source.id)
        error = f"unexpected error while reading the source: {type(exc).__name__}: {exc}"
        notice, _ = _finish(source, config, deps, health, RunResult(now=now, error=error), run)
        return CheckReport(source.id, errors=(error,), notice=notice)
    if run.unchanged:
        notice, _ = _finish(source, config, deps, health, RunResult(now=now), run)
        return CheckReport(source.id, skipped="unchanged", notice=notice)

    digested = await asyncio.gather(*(_digest(source, config, deps, f) for f, _ in run.pages))
    pages = _taken(source, run, digested)
    plans = _plan(source, config, deps, health, pages)
    result = run_result(
        now=now,
        kind=source.kind,
        errors=run.errors,
        pages=len(plans),
        blocked=sum(1 for plan in plans if plan.article.blocked),
        new_items=run.new_items,
        fetched=len(run.pages),
        seen=len(run.seen),
    )
    notice, deliveries = _finish(source, config, deps, health, result, run, plans)
    metrics.articles_planned(plans)
    if deps.keep_texts is not None:
        deps.keep_texts(source.id, plans, now)
    return _report(source, health, run, plans, deliveries, notice)


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
        if gives_up(answer.status, rejected=isinstance(answer, FetchRejected)):
            run.seen.append(item.key)  # will not get better: do not ask again


async def _watched(source: Source, url: str, deps: Deps, run: _Run) -> Fetched | None:
    """A URL we poll: conditional request; None when it has not changed since last time."""
    previous = deps.store.fetch_validators(url)
    fetched = await deps.fetcher.get(url, validators=previous, ignore_robots=source.ignore_robots)
    if fetched.unchanged_since(previous):
        if fetched.not_modified and previous is not None:
            refreshed = _refreshed(previous, fetched)
            if refreshed != previous:  # the same validators again: nothing to write
                run.validators.append((url, refreshed))
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


def _taken(
    source: Source, run: _Run, digested: Sequence[DigestedPage | PageCrashed]
) -> list[Digested]:
    """The digested articles, in order; a page whose digest crashed is left for the next run."""
    pages = []
    for (_, item), page in zip(run.pages, digested, strict=True):
        if isinstance(page, PageCrashed):
            log.error("source %s: %s", source.id, page)
            run.errors.append(str(page))
            if item is not None and item.key in run.seen:
                run.seen.remove(item.key)  # not taken: fetch it again next run
            run.validators.clear()  # and do not take the source as unchanged next run
            continue
        pages.append(Digested(page.article, page.fingerprint, tuple(page.matches), item))
    return pages


def _plan(
    source: Source, config: Config, deps: Deps, health: SourceHealth, pages: Sequence[Digested]
) -> tuple[ArticlePlan, ...]:
    """Read what the stories and subscribers are now, then plan every article (pure)."""
    if not pages:
        return ()
    now = deps.clock()
    wanted = [(p.article.url or "", None if p.article.blocked else p.fingerprint) for p in pages]
    contexts = deps.store.story_contexts(wanted, since=now - config.fetch.story_window_s)
    topics = list(dict.fromkeys(m.topic_id for page in pages for m in page.matches))
    policy = ArticlePolicy(
        source_id=source.id,
        similarity=config.fetch.story_similarity,
        backfill_s=source.backfill_s,
        first_run=health.first_run,
        first_run_at=health.first_run_at,
        subscribers=deps.store.subscribers_of(topics) if topics else {},
        channels=_current_channels(deps.store, config.telegram.channels) if topics else (),
        extra=() if config.telegram.token else (CONSOLE_CHAT_ID,),
    )
    plans = plan_articles(pages, contexts, policy, now)
    for plan in plans:
        _log_placement(source, plan)
    return plans


def _log_placement(source: Source, plan: ArticlePlan) -> None:
    url, placement = plan.article.url or "", plan.placement
    if plan.article.blocked:
        log.info("source %s: %s is a consent or subscription wall", source.id, url)
    elif placement.relation in ("copy", "edit") and placement.of is not None:
        log.info(
            "source %s: %s is %s of %s (similarity %.2f)",
            source.id,
            url,
            a_or_an(placement.relation),
            placement.of.url,
            placement.similarity,
        )


def _report(
    source: Source,
    health: SourceHealth,
    run: _Run,
    plans: Sequence[ArticlePlan],
    deliveries: Sequence[int],
    notice: Notice | None,
) -> CheckReport:
    read = [plan for plan in plans if not plan.article.blocked]
    alerting = [plan for plan in read if plan.alertable]
    return CheckReport(
        source.id,
        pages=len(plans),
        blocked=len(plans) - len(read),
        matches=tuple((plan.article, plan.matches) for plan in read),
        alerts=sum(len(plan.planned) for plan in alerting),
        deliveries=tuple(deliveries),
        errors=tuple(run.errors),
        new_items=run.new_items,
        recorded_only=run.recorded_only,
        copies=sum(1 for plan in read if plan.copy),
        notice=notice,
        first_run=health.first_run,
        planned=tuple(alert for plan in alerting for alert in plan.planned),
    )


def _finish(
    source: Source,
    config: Config,
    deps: Deps,
    health: SourceHealth,
    result: RunResult,
    run: _Run,
    plans: Sequence[ArticlePlan] = (),
) -> tuple[Notice | None, list[int]]:
    """Assess health, persist the whole run in one transaction; the notice for admins, if
    any, and the new deliveries."""
    policy = HealthPolicy(
        interval_s=source.interval_s,
        failures_before_notice=config.fetch.failures_before_notice,
        backoff_max_s=config.fetch.backoff_max_s,
        expect_new_s=source.expect_new_s,
    )
    new_health, notice = assess(health, result, policy, rand=deps.rand())
    record = SourceRun(
        source.id,
        now=result.now,
        health=new_health,
        articles=tuple(plans),
        seen_keys=tuple(run.seen),
        validators=tuple(run.validators) if result.error is None else (),
    )
    return notice, deps.store.record_run(record)


def _refreshed(previous: Validators, fetched: Fetched) -> Validators:
    return Validators(
        fetched.etag or previous.etag,
        fetched.last_modified or previous.last_modified,
        previous.content_hash,
    )


def _current_channels(
    store: RunStore, channels: Sequence[tuple[int, Sequence[str]]]
) -> list[tuple[int, Sequence[str]]]:
    """Configured chats under their current ids: a group in config that has since become a
    supergroup gets its alerts at the new id directly (the move was logged when it happened)."""
    current = store.current_chat_ids(chat_id for chat_id, _ in channels)
    return [(current[chat_id], topics) for chat_id, topics in channels]
