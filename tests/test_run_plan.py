"""The pure decisions of a source run on plain values: where each article goes and who it
alerts (``bot.delivery.plan``), what the run means for the source's health
(``bot.sources.verdict``), and when a digest is done (``bot.delivery.digest``)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.delivery.digest import completed_digests
from bot.delivery.holds import ChatPrefs, last_digest_time
from bot.delivery.plan import ArticlePolicy, Digested, StoryContext, plan_article, plan_articles
from bot.model import Article, Match
from bot.sources.feeds import FeedItem
from bot.sources.verdict import gives_up, run_result
from bot.stories.dedupe import StoryRef
from bot.stories.fingerprint import fingerprint

NOW = 1_800_000_000.0
TEXT = " ".join(f"word{i} in a sentence about the harbour festival number {i}" for i in range(60))
OTHER = " ".join(f"unrelated{i} report on a budget vote in parliament item {i}" for i in range(60))
POLICY = ArticlePolicy(source_id="wire", similarity=0.7, subscribers={"t": [11]}, extra=(0,))


def article(url: str, text: str = TEXT, *, blocked: bool = False) -> Article:
    return Article(url, "Title", None, None, "en", text, blocked=blocked)


def match(topic: str = "t") -> Match:
    return Match(topic_id=topic, topic_name=topic.upper(), score=1.0, hits=())


def page(url: str, text: str = TEXT, *, blocked: bool = False, topics: str = "t") -> Digested:
    matches = tuple(match(t) for t in topics)
    return Digested(article(url, text, blocked=blocked), fingerprint(text), matches)


def test_a_new_article_starts_a_story_and_alerts_its_topics_subscribers() -> None:
    """An unknown article gets a provisional new story and one alert per topic, to its chats."""
    plan = plan_article(page("https://a/1"), StoryContext(), POLICY, NOW, new_story=-1)
    assert plan.placement.relation == "new" and plan.story_id == -1 and plan.alertable
    assert [(p.alert.topic_id, p.recipients) for p in plan.planned] == [("t", (11, 0))]
    assert not plan.copy


def test_a_wall_is_recorded_in_its_urls_story_and_alerts_nobody() -> None:
    """A consent wall keeps the story of its URL and plans no alert, whatever it matched."""
    known = StoryRef(7, "https://a/1", "wire", None)
    plan = plan_article(
        page("https://a/1", blocked=True), StoryContext(same_url=known), POLICY, NOW, new_story=-1
    )
    assert plan.story_id == 7 and plan.planned == () and plan.fingerprint is None


def test_a_copy_of_a_story_alerts_only_topics_it_has_not_alerted() -> None:
    """A copy joins the known story; topics that story alerted already are not alerted again."""
    stored = StoryRef(3, "https://b/x", "other", fingerprint(TEXT))
    context = StoryContext(candidates=(stored,), alerted={3: frozenset({"t"})})
    plan = plan_article(page("https://a/1", topics="tu"), context, POLICY, NOW, new_story=-1)
    assert plan.placement.relation == "copy" and plan.story_id == 3 and plan.copy
    assert [p.alert.topic_id for p in plan.planned] == ["u"]


def test_on_the_first_run_an_old_item_is_recorded_without_recipients() -> None:
    """Outside the backfill on a first run, alerts are recorded but reach nobody."""
    old = FeedItem("k", "https://a/1", "T", datetime(2020, 1, 1, tzinfo=UTC))
    policy = ArticlePolicy(source_id="wire", similarity=0.7, first_run=True, backfill_s=3600.0)
    digested = Digested(article("https://a/1"), fingerprint(TEXT), (match(),), old)
    plan = plan_article(digested, StoryContext(), policy, NOW, new_story=-1)
    assert not plan.alertable and [p.recipients for p in plan.planned] == [()]


def test_articles_of_one_run_see_each_other() -> None:
    """A copy of an article planned earlier in the same run joins its new story, no re-alert."""
    pages = [page("https://a/1"), page("https://a/2"), page("https://a/3", OTHER)]
    plans = plan_articles(pages, [StoryContext()] * 3, POLICY, NOW)
    assert [p.story_id for p in plans] == [-1, -1, -2]
    assert [p.placement.relation for p in plans] == ["new", "copy", "new"]
    assert [len(p.planned) for p in plans] == [1, 0, 1]


def test_the_same_url_twice_in_a_run_is_the_same_story() -> None:
    """The second version of a URL in one run is placed against the first, not the stored one."""
    stored = StoryContext(same_url=StoryRef(5, "https://a/1", "wire", fingerprint(OTHER)))
    plans = plan_articles([page("https://a/1"), page("https://a/1")], [stored] * 2, POLICY, NOW)
    assert [p.placement.relation for p in plans] == ["development", "edit"]
    assert plans[1].story_id == plans[0].story_id == -1


def test_a_run_fails_only_when_it_has_errors_and_nothing_to_show() -> None:
    """Errors with no page and no seen item fail the run; with either, the run succeeded."""

    def verdict(errors: list[str], seen: int) -> str | None:
        return run_result(
            now=NOW,
            kind="feed",
            errors=errors,
            pages=0,
            blocked=0,
            new_items=2,
            fetched=0,
            seen=seen,
        ).error

    assert verdict(["a", "b"], seen=0) == "a; b"
    assert verdict(["a"], seen=1) is None
    assert verdict([], seen=0) is None


def test_walls_count_when_every_page_was_one_or_the_source_is_a_page() -> None:
    """A feed with some walled pages is not blocked; all walls, or a walled page source, is."""

    def blocked(kind: str, walls: int) -> int:
        return run_result(
            now=NOW, kind=kind, errors=(), pages=2, blocked=walls, new_items=2, fetched=2, seen=2
        ).blocked

    assert (blocked("feed", 1), blocked("feed", 2), blocked("page", 1)) == (0, 2, 1)


def test_gone_or_refused_items_are_not_asked_again() -> None:
    """404, 410 and policy refusals are recorded as seen; a 500 or a timeout is retried."""
    assert gives_up(404, rejected=False) and gives_up(410, rejected=False)
    assert gives_up(None, rejected=True)
    assert not gives_up(500, rejected=False) and not gives_up(None, rejected=False)


def test_a_digest_is_done_once_nothing_of_its_chat_waits() -> None:
    """The digest moves to its latest time when the chat has nothing waiting, and not before."""
    prefs = ChatPrefs(1, digest_at="08:00")
    last = last_digest_time(prefs, NOW)
    done = completed_digests([prefs], now=NOW, held=(), waiting={1: 0}, token_rejected=False)
    assert [p.digest_sent_at for p in done] == [last]
    for waiting, held, rejected in (({1: 2}, (), False), ({}, (), False), ({1: 0}, (1,), False)):
        kept = completed_digests(
            [prefs], now=NOW, held=held, waiting=waiting, token_rejected=rejected
        )
        assert kept == []
    assert completed_digests([prefs], now=NOW, held=(), waiting={1: 0}, token_rejected=True) == []


def test_a_muted_chat_or_one_without_digest_is_never_done() -> None:
    """Muted chats and chats without a digest time keep their preferences."""
    muted = ChatPrefs(1, digest_at="08:00", muted_until=NOW + 60)
    plain = ChatPrefs(2)
    waiting = {1: 0, 2: 0}
    assert (
        completed_digests([muted, plain], now=NOW, held=(), waiting=waiting, token_rejected=False)
        == []
    )
