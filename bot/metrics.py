"""The Prometheus metrics of one newsbot process, and the one-line calls adapters make.

Only adapters import this module (the layers contract keeps prometheus_client out of the pure
stages). Labels are bounded: outcomes, HTTP status classes, removal kinds, configured topic ids,
delivery states. ``/metrics`` (``bot.web``) serves them in the standard exposition; each process
serves its own, or, with ``PROMETHEUS_MULTIPROC_DIR`` set, all processes' values aggregated.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Coroutine, Iterable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from prometheus_client import Counter, Gauge, Histogram

if TYPE_CHECKING:
    from bot.delivery.plan import ArticlePlan
    from bot.model import Article, Match

P = ParamSpec("P")
R = TypeVar("R")
AsyncFunc = Callable[P, Coroutine[Any, Any, R]]

_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_BYTES = (1e3, 1e4, 5e4, 1e5, 2.5e5, 5e5, 1e6, 2.5e6, 5e6)

FETCHES = Counter(
    "newsbot_fetches_total",
    "HTTP fetches by outcome (ok, not_modified, error, rejected) and status class",
    ["outcome", "status"],
)
FETCH_SECONDS = Histogram(
    "newsbot_fetch_duration_seconds", "Time of one fetch, robots.txt included", buckets=_SECONDS
)
FETCH_BYTES = Histogram(
    "newsbot_fetch_response_bytes", "Bytes of one response body as sent", buckets=_BYTES
)
PAGES_CLEANED = Counter("newsbot_pages_cleaned_total", "Pages made into articles")
REMOVED = Counter(
    "newsbot_removed_pieces_total", "Pieces the cleaner removed from pages, by kind", ["kind"]
)
CONSENT_WALLS = Counter(
    "newsbot_walled_pages_total", "Pages that were only a consent or subscription wall"
)
DIGEST_SECONDS = Histogram(
    "newsbot_clean_match_duration_seconds",
    "Time to clean, fingerprint and match one page (queueing in the worker pool included)",
    buckets=_SECONDS,
)
MATCHES = Counter("newsbot_matches_total", "Topic matches on articles, by topic", ["topic"])
ARTICLES = Counter(
    "newsbot_articles_total",
    "Articles placed in stories, by relation (new, copy, edit, same)",
    ["relation"],
)
ALERTS = Counter("newsbot_alerts_created_total", "Alerts created (one per story and topic)")
SENDS = Counter(
    "newsbot_sends_total", "Telegram sends by result (sent, retry, failed, moved)", ["result"]
)
FLOODS = Counter("newsbot_telegram_rate_limited_total", "Sends answered 429 Too Many Requests")
FLOOD_WAIT = Counter(
    "newsbot_telegram_retry_after_seconds_total", "Seconds of retry_after Telegram asked for"
)
SEND_SECONDS = Histogram(
    "newsbot_send_duration_seconds", "Time of one Telegram send request", buckets=_SECONDS
)
RELOADS = Counter(
    "newsbot_config_reloads_total", "Config reloads by outcome (ok, refused)", ["outcome"]
)
# Set from the database when /metrics is scraped (the database is the truth, not this process).
OUTBOX = Gauge(
    "newsbot_outbox_deliveries", "Deliveries in the outbox by state", ["state"],
    multiprocess_mode="livemax",
)  # fmt: skip
SOURCES = Gauge(
    "newsbot_sources", "Configured sources by condition", ["condition"],
    multiprocess_mode="livemax",
)  # fmt: skip

_KINDS = frozenset(
    {"consent", "wall", "boilerplate", "byline", "bio", "title", "repeat", "newsletter", "limit"}
)


def _status_class(status: int | None) -> str:
    return "none" if status is None else f"{status // 100}xx"


def timed_fetch(
    get: Callable[P, Coroutine[Any, Any, R]],
) -> Callable[P, Coroutine[Any, Any, R]]:
    """Decorate ``Fetcher.get``: count each fetch by outcome and status class, time it."""
    from bot.errors import FetchError, FetchRejected

    @functools.wraps(get)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        started = time.monotonic()
        try:
            fetched = await get(*args, **kwargs)
        except FetchError as exc:
            outcome = "rejected" if isinstance(exc, FetchRejected) else "error"
            FETCHES.labels(outcome, _status_class(exc.status)).inc()
            raise
        finally:
            FETCH_SECONDS.observe(time.monotonic() - started)
        status = getattr(fetched, "status", None)
        FETCHES.labels("not_modified" if status == 304 else "ok", _status_class(status)).inc()
        return fetched

    return wrapper


def timed(histogram: Histogram) -> Callable[[AsyncFunc[P, R]], AsyncFunc[P, R]]:
    """Decorate a coroutine function: observe each call's duration in ``histogram``."""

    def decorate(func: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, Coroutine[Any, Any, R]]:
        @functools.wraps(func)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            started = time.monotonic()
            try:
                return await func(*args, **kwargs)
            finally:
                histogram.observe(time.monotonic() - started)

        return wrapper

    return decorate


def article_taken(
    article: Article, matches: tuple[Match, ...], relation: str | None, alerts: int
) -> None:
    """One article recorded by the service: cleaned, removed pieces, matches, story, alerts."""
    PAGES_CLEANED.inc()
    if article.blocked:
        CONSENT_WALLS.inc()
    for piece in article.removed:
        REMOVED.labels(piece.kind if piece.kind in _KINDS else "other").inc()
    for match in matches:
        MATCHES.labels(match.topic_id).inc()
    ARTICLES.labels(relation or "blocked").inc()
    ALERTS.inc(alerts)


def articles_planned(plans: Iterable[ArticlePlan]) -> None:
    """A source run's articles, as the service planned and recorded them."""
    for plan in plans:
        blocked = plan.article.blocked
        alerts = len(plan.planned) if plan.alertable and not blocked else 0
        article_taken(
            plan.article, plan.matches, None if blocked else plan.placement.relation, alerts
        )


def send_result(result: str, retry_after: float | None = None) -> None:
    """One send's result; a 429's ``retry_after`` counts the flood and the wait asked for."""
    SENDS.labels(result).inc()
    if retry_after is not None:
        FLOODS.inc()
        FLOOD_WAIT.inc(retry_after)
