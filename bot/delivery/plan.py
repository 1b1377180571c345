"""Plan what one source run's articles become: a story each, and the alerts they deserve (pure).

For every digested article, in the order the run found them: a consent or subscription wall is
recorded under its URL's story and alerts nobody; any other article is placed among the stories
already seen (``bot.stories.dedupe``), and alerts each matched topic its story has not alerted
yet, to that topic's chats, when the backfill rule lets it alert (``bot.sources.backfill``).
Otherwise its alerts are recorded without recipients, so the story is known and a later edit
does not alert either.

Articles of the same run see each other: a later one can be an edit or a copy of an earlier
one, and a topic alerted earlier in the run is not alerted again in that story. A story this
run creates has a provisional id below zero (-1 for the first, -2 for the next, ...), which the
store replaces with the row it inserts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.delivery.alerts import plan_alerts, recipients_by_topic
from bot.model import Article, Match, PlannedAlert, Validators
from bot.sources.backfill import may_alert
from bot.sources.feeds import FeedItem
from bot.sources.health import SourceHealth
from bot.stories.dedupe import Placement, StoryRef, place_article
from bot.stories.fingerprint import Fingerprint


@dataclass(frozen=True, slots=True)
class Digested:
    """One article the run fetched and digested, with the feed item that led to it (if any)."""

    article: Article
    fingerprint: Fingerprint | None
    matches: tuple[Match, ...] = ()
    item: FeedItem | None = None


@dataclass(frozen=True, slots=True)
class StoryContext:
    """What the store knows around one article: the latest stored version of its URL, the
    articles whose fingerprints share a band with its own (candidate copies), and the topics
    each of those stories has already alerted."""

    same_url: StoryRef | None = None
    candidates: tuple[StoryRef, ...] = ()
    alerted: Mapping[int, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ArticlePolicy:
    """How a source's articles are planned: the story similarity threshold, the first-run and
    backfill rule, and who receives each topic (subscribers, configured channels, extra chats)."""

    source_id: str
    similarity: float
    backfill_s: float = 0.0
    first_run: bool = False
    first_run_at: float | None = None
    subscribers: Mapping[str, Sequence[int]] = field(default_factory=dict)
    channels: Sequence[tuple[int, Sequence[str]]] = ()
    extra: Sequence[int] = ()


@dataclass(frozen=True, slots=True)
class ArticlePlan:
    """One article's fate: its story (``story_id``, provisional when below zero), how it relates
    to what was seen (``placement``), and the alerts to record (with recipients when
    ``alertable``)."""

    article: Article
    fingerprint: Fingerprint | None
    placement: Placement
    story_id: int
    matches: tuple[Match, ...] = ()
    planned: tuple[PlannedAlert, ...] = ()
    alertable: bool = False

    @property
    def copy(self) -> bool:
        """Whether the article is a copy or an edit of a story already known."""
        return self.placement.relation in ("copy", "edit", "same")


@dataclass(frozen=True, slots=True)
class SourceRun:
    """Everything one run of a source persists, in one transaction: its articles, the item keys
    it will not fetch again, the validators of the URLs it watches, and the source's new health."""

    source_id: str
    now: float
    health: SourceHealth
    articles: tuple[ArticlePlan, ...] = ()
    seen_keys: tuple[str, ...] = ()
    validators: tuple[tuple[str, Validators], ...] = ()


def plan_article(
    page: Digested, context: StoryContext, policy: ArticlePolicy, now: float, *, new_story: int
) -> ArticlePlan:
    """Place one article and plan its alerts; ``new_story`` is the id it takes if it starts one."""
    article = page.article
    if article.blocked:
        placement = place_article(None, same_url=context.same_url, candidates=(), threshold=1.0)
        return ArticlePlan(article, None, placement, _story(placement, new_story))
    placement = place_article(
        page.fingerprint,
        same_url=context.same_url,
        candidates=context.candidates,
        threshold=policy.similarity,
    )
    alertable = may_alert(
        page.item,
        article.published,
        first_run=policy.first_run,
        backfill_s=policy.backfill_s,
        now=now,
        tried_at=policy.first_run_at,
    )
    topics = [m.topic_id for m in page.matches]
    recipients = (
        recipients_by_topic(
            topics, subscribers=policy.subscribers, channels=policy.channels, extra=policy.extra
        )
        if alertable
        else {}
    )
    story_id = _story(placement, new_story)
    already = context.alerted.get(story_id, frozenset())
    planned = plan_alerts(
        article,
        page.matches,
        source_id=policy.source_id,
        already_alerted=already,
        recipients=recipients,
    )
    return ArticlePlan(
        article, page.fingerprint, placement, story_id, page.matches, planned, alertable
    )


def plan_articles(
    pages: Sequence[Digested],
    contexts: Sequence[StoryContext],
    policy: ArticlePolicy,
    now: float,
) -> tuple[ArticlePlan, ...]:
    """Plan a run's articles in order, each seeing the stored stories (``contexts``, one per
    page) and the articles planned before it in the run."""
    plans: list[ArticlePlan] = []
    for page, stored in zip(pages, contexts, strict=True):
        context = _with_earlier(stored, page, plans, policy.source_id)
        new_story = -1 - sum(1 for p in plans if p.placement.story_id is None)
        plans.append(plan_article(page, context, policy, now, new_story=new_story))
    return tuple(plans)


def _story(placement: Placement, new_story: int) -> int:
    return placement.story_id if placement.story_id is not None else new_story


def _with_earlier(
    stored: StoryContext, page: Digested, earlier: Sequence[ArticlePlan], source_id: str
) -> StoryContext:
    """The stored context, with the articles planned earlier in the run added as if stored."""
    if not earlier:
        return stored
    url = page.article.url or ""
    same_url = stored.same_url
    candidates = list(stored.candidates)
    bands = set(page.fingerprint.bands()) if page.fingerprint is not None else set()
    for plan in earlier:
        ref = StoryRef(plan.story_id, plan.article.url or "", source_id, plan.fingerprint)
        if ref.url == url:
            same_url = ref  # the latest version of the URL is the one of this run
        elif plan.fingerprint is not None and bands.intersection(plan.fingerprint.bands()):
            candidates.append(ref)
    alerted = {story: set(topics) for story, topics in stored.alerted.items()}
    for plan in earlier:
        alerted.setdefault(plan.story_id, set()).update(p.alert.topic_id for p in plan.planned)
    frozen = {story: frozenset(topics) for story, topics in alerted.items()}
    return StoryContext(same_url, tuple(candidates), frozen)
