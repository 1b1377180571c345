"""The store contract: what every port of ``bot.store.ports`` promises, on every backend.

Each test runs once per backend of ``tests/store_backends.py`` (SQLite; PostgreSQL adds its
entry there). Nothing here may assume one backend: no file paths, no PRAGMAs, only the ports,
``Store(url)``, ``close()`` and reopening the same URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import event

from bot.config import parse_config
from bot.delivery.holds import ChatPrefs
from bot.delivery.plan import ArticlePlan, SourceRun
from bot.errors import StorageError
from bot.fetch.client import Fetcher
from bot.model import Alert, Article, PlannedAlert, Validators
from bot.runtime.service import Deps, check_source
from bot.sources.health import SourceHealth
from bot.store import Store
from bot.store.ports import AdminStore, ChatStore, OutboxStore, RunStore, SourcesStore
from bot.stories.dedupe import Placement
from bot.stories.fingerprint import fingerprint
from tests.conftest import ROOT
from tests.fakes.news_server import Entry, NewsServer
from tests.store_backends import BACKENDS

DEMO = ROOT / "bot" / "runtime" / "demo" / "pages"

URL = "https://news.example/a"
TEXT = " ".join(
    f"the harbour festival drew crowd number {i} to the quay at dusk" for i in range(60)
)
OTHER = " ".join(
    f"parliament passed budget line {i} after a long night of votes" for i in range(60)
)


@pytest.fixture(params=sorted(BACKENDS))
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh database on each backend."""
    with BACKENDS[request.param](tmp_path) as url:
        yield url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = Store(store_url)
    yield opened
    opened.close()


def article(url: str = URL, *, text: str = "Body.", blocked: bool = False) -> Article:
    return Article(url, "Title", None, datetime(2026, 11, 1, tzinfo=UTC), "en", text, blocked)


def planned(topic: str, url: str = URL, chats: tuple[int, ...] = (1, 2)) -> PlannedAlert:
    alert = Alert(
        topic_id=topic,
        topic_name=topic.title(),
        url=url,
        title="Title",
        source_id="s",
        published=None,
        reason="matched x",
        snippet="x y",
        marks=((0, 1),),
    )
    return PlannedAlert(alert=alert, score=3.0, recipients=chats)


def plan(
    story_id: int = -1,
    *,
    url: str = URL,
    text: str = "Body.",
    alerts: tuple[PlannedAlert, ...] = (),
    relation: str = "new",
) -> ArticlePlan:
    known = story_id if story_id > 0 else None
    placement = Placement(relation, known)  # type: ignore[arg-type]
    return ArticlePlan(article(url, text=text), fingerprint(text), placement, story_id, (), alerts)


def run(store: Store, *plans: ArticlePlan, now: float = 1.0, **more: object) -> list[int]:
    health = store.source_health("s")
    return store.record_run(SourceRun("s", now, health, articles=plans, **more))  # type: ignore[arg-type]


def test_the_store_implements_every_port(store: Store) -> None:
    """``Store`` answers every method of every port."""
    for port in (RunStore, OutboxStore, ChatStore, AdminStore, SourcesStore):
        missing = [
            name for name in dir(port) if not name.startswith("_") and not hasattr(store, name)
        ]
        assert missing == [], port.__name__


# -- RunStore --------------------------------------------------------------------------------


def test_an_alert_and_its_deliveries_are_made_once_across_reopen(store_url: str) -> None:
    """The same (article, topic) recorded twice, even after reopening, makes one alert."""
    store = Store(store_url)
    first = run(store, plan(alerts=(planned("t"),)))
    assert len(first) == 2
    store.close()
    store = Store(store_url)
    try:
        [context] = store.story_contexts([(URL, None)], since=0.0)
        assert context.same_url is not None
        story = context.same_url.story_id
        assert context.alerted == {story: frozenset({"t"})}
        again = run(store, plan(story, alerts=(planned("t"),), relation="same"), now=2.0)
        assert again == []
        assert store.delivery_counts() == {"pending": 2}
    finally:
        store.close()


def test_a_runs_new_stories_are_made_once_per_provisional_id(store: Store) -> None:
    """Two articles placed in the run's story -1 share one stored story; -2 is another."""
    run(
        store,
        plan(-1, url="https://a/1", text=TEXT),
        plan(-1, url="https://b/1", text=TEXT, relation="copy"),
        plan(-2, url="https://c/1", text=OTHER),
    )
    contexts = store.story_contexts([("https://a/1", None), ("https://c/1", None)], since=0.0)
    first, other = (c.same_url for c in contexts)
    assert first is not None and other is not None and first.story_id != other.story_id
    assert [url for _, url in store.also_reported_by(first.story_id)] == [
        "https://a/1",
        "https://b/1",
    ]


def test_story_contexts_find_the_url_and_copies_by_fingerprint(store: Store) -> None:
    """The latest version of a URL; copies at other URLs sharing a band, seen since ``since``."""
    run(store, plan(-1, url="https://a/1", text=TEXT, alerts=(planned("t", "https://a/1"),)))
    run(store, plan(-1, url="https://z/9", text=OTHER), now=50.0)
    wanted = [("https://a/1", None), ("https://b/2", fingerprint(TEXT)), ("https://n/0", None)]
    same, copy, nothing = store.story_contexts(wanted, since=0.0)
    assert same.same_url is not None and same.same_url.url == "https://a/1"
    assert same.same_url.fingerprint == fingerprint(TEXT) and same.candidates == ()
    assert copy.same_url is None and [c.url for c in copy.candidates] == ["https://a/1"]
    assert copy.alerted == {copy.candidates[0].story_id: frozenset({"t"})}
    assert nothing.same_url is None and nothing.candidates == () and nothing.alerted == {}
    [late] = store.story_contexts([("https://b/2", fingerprint(TEXT))], since=10.0)
    assert late.candidates == ()  # seen before the window


def test_a_wall_is_stored_without_fingerprint_and_is_found_by_url(store: Store) -> None:
    """A walled article keeps its URL's story and gives no candidate copies."""
    wall = ArticlePlan(article(blocked=True), None, Placement("new"), -1)
    assert run(store, wall) == []
    [context] = store.story_contexts([(URL, fingerprint(TEXT))], since=0.0)
    assert context.same_url is not None and context.same_url.fingerprint is None


def test_seen_items_are_remembered_in_order_without_repeats(store: Store) -> None:
    """Recorded item keys are not new again; the rest keep their order, once each."""
    run(store, seen_keys=("a", "b"))
    assert store.unseen_items("s", ["c", "a", "d", "b", "c"]) == ["c", "d"]
    assert store.unseen_items("other", ["a"]) == ["a"]
    assert store.unseen_items("s", []) == []
    assert store.items_per_day("s", now=1.0, days=1.0) == 2.0
    assert store.items_per_day("s", now=1.0 + 3 * 86400, days=1.0) == 0.0


def test_validators_are_kept_and_replaced(store: Store) -> None:
    """The validators of a watched URL are kept and the next run's replace them."""
    assert store.fetch_validators("https://f/feed") is None
    run(store, validators=(("https://f/feed", Validators('"e1"', None, "h1")),))
    run(store, validators=(("https://f/feed", Validators('"e2"', "Mon", None)),), now=2.0)
    assert store.fetch_validators("https://f/feed") == Validators('"e2"', "Mon", None)


def test_the_health_of_a_run_is_stored_as_given(store: Store) -> None:
    """A run's health round-trips; every source that ran is listed."""
    assert store.source_health("s") == SourceHealth("s")
    health = replace(
        SourceHealth("s"),
        status="failing",
        last_run_at=5.0,
        last_error="HTTP 500",
        last_error_at=5.0,
        consecutive_failures=2,
        next_check_at=65.0,
        walled_runs=1,
        reported="failing",
    )
    store.record_run(SourceRun("s", 5.0, health))
    assert store.source_health("s") == health
    assert store.source_statuses() == {"s": health}


def test_a_run_is_one_transaction(store: Store) -> None:
    """Articles, alerts, deliveries, seen items, validators and health: one commit."""
    whole = SourceRun(
        "s",
        1.0,
        replace(SourceHealth("s"), status="ok", last_run_at=1.0, items_found=2),
        articles=(
            plan(-1, url="https://a/1", text=TEXT, alerts=(planned("t", "https://a/1"),)),
            plan(-2, url="https://c/1", text=OTHER, alerts=(planned("u", "https://c/1"),)),
        ),
        seen_keys=("a", "c"),
        validators=(("https://f/feed", Validators('"e"', None, None)),),
    )
    commits: list[int] = []
    event.listen(store.engine, "commit", lambda _conn: commits.append(1))
    assert len(store.record_run(whole)) == 4
    assert len(commits) == 1


def test_a_run_that_fails_to_persist_leaves_nothing(store: Store) -> None:
    """When the database refuses part of a run, none of it is stored."""
    broken = replace(SourceHealth("s"), consecutive_failures=None)  # type: ignore[arg-type]
    with pytest.raises(StorageError):
        store.record_run(
            SourceRun("s", 1.0, broken, articles=(plan(alerts=(planned("t"),)),), seen_keys=("k",))
        )
    assert store.delivery_counts() == {}
    assert store.unseen_items("s", ["k"]) == ["k"]
    assert store.story_contexts([(URL, None)], since=0.0)[0].same_url is None


# -- OutboxStore -----------------------------------------------------------------------------


def test_outbox_claim_send_retry_fail(store: Store) -> None:
    """Claimed deliveries are `sending`; sent, retried (due at retry_at) and failed stick."""
    ids = run(store, plan(alerts=(planned("t", chats=(1, 2, 3)),)), now=10.0)
    claimed = store.claim_due(now=10.0)
    assert [d.id for d in claimed] == ids
    assert claimed[0].alert.marks == ((0, 1),) and claimed[0].alert.url == URL
    assert store.claim_due(now=10.0) == []  # nothing claimed twice
    store.mark_sent_many([ids[0]], message_id=7, now=11.0)
    store.mark_retry(ids[1], error="HTTP 502", retry_at=20.0)
    store.mark_failed(ids[2], error="Forbidden: bot was blocked by the user")
    assert store.delivery_counts() == {"sent": 1, "pending": 1, "failed": 1}
    assert store.failed_deliveries() == [(ids[2], 3, "Forbidden: bot was blocked by the user")]
    assert store.claim_due(now=19.0) == []
    assert store.next_pending_at(after=10.0) == 20.0
    retried = store.claim_due(now=20.0)
    assert [d.id for d in retried] == [ids[1]]
    assert retried[0].attempts == 1 and retried[0].last_error == "HTTP 502"


def test_a_chats_queue_keeps_its_order_behind_a_retry(store: Store) -> None:
    """A later delivery of a chat is not claimed while an earlier one waits for its retry."""
    first = run(store, plan(-1, url="https://a/1", alerts=(planned("t", "https://a/1", (1,)),)))
    later = run(store, plan(-1, url="https://a/2", alerts=(planned("t", "https://a/2", (1,)),)))
    other = run(store, plan(-1, url="https://a/3", alerts=(planned("t", "https://a/3", (2,)),)))
    assert [d.id for d in store.claim_due(now=1.0, limit=1)] == first
    store.mark_retry(first[0], error="HTTP 502", retry_at=30.0)
    assert [d.id for d in store.claim_due(now=2.0)] == other  # chat 1 waits for its retry
    assert store.claim_due(now=29.0) == []
    assert [d.id for d in store.claim_due(now=30.0, limit=1)] == first
    assert store.claim_due(now=30.0) == []  # behind the one being sent
    store.release_many(first)
    assert [d.id for d in store.claim_due(now=30.0)] == first + later


def test_held_chats_are_skipped_and_interrupted_sends_requeued(store_url: str) -> None:
    """Held chats' deliveries stay; deliveries left `sending` go back to `pending` on reopen."""
    store = Store(store_url)
    run(store, plan(alerts=(planned("t", chats=(1, 2)),)))
    assert [d.chat_id for d in store.claim_due(now=1.0, held=[2])] == [1]
    assert store.pending_count(1) == 1 and store.pending_count(2) == 1
    store.close()
    store = Store(store_url)
    try:
        assert store.requeue_interrupted() == 1
        assert len(store.claim_due(now=1.0)) == 2
    finally:
        store.close()


def test_attempts_and_a_blocked_chat(store: Store) -> None:
    """An in-round retry counts an attempt; a chat that blocked the bot fails all it waits for."""
    ids = run(store, plan(alerts=(planned("t", chats=(1,)), planned("u", chats=(1,)))))
    store.claim_due(now=1.0)
    store.record_attempt(ids[:1], error="HTTP 429")
    assert store.fail_waiting(1, error="Forbidden") == 2
    assert store.pending_count(1) == 0
    assert store.delivery_counts() == {"failed": 2}


# -- ChatStore -------------------------------------------------------------------------------


def test_subscriptions_and_deactivation(store: Store) -> None:
    """Subscribing twice is idempotent; a deactivated chat is no longer a recipient."""
    store.upsert_subscriber(5, user_id=5, chat_type="private", now=1.0)
    assert store.subscribe(5, "t", 1.0) is True
    assert store.subscribe(5, "t", 2.0) is False
    assert store.subscribe(5, "a", 3.0) is True
    assert store.subscriptions_of(5) == ["a", "t"]
    assert store.subscribers_of(["t", "u"]) == {"t": [5], "u": []}
    store.deactivate_chat(5, "Forbidden: bot was blocked by the user")
    assert store.subscribers_of(["t"]) == {"t": []}
    store.upsert_subscriber(5, user_id=5, chat_type="private", now=4.0)
    assert store.subscribers_of(["t"]) == {"t": [5]}
    assert store.unsubscribe(5, "t") is True and store.unsubscribe(5, "t") is False
    assert store.subscriptions_of(5) == ["a"]


def test_preferences_round_trip_and_holding_chats_are_listed(store: Store) -> None:
    """Saved preferences come back; only muted or digest chats are listed as holding."""
    assert store.prefs_of(9) == ChatPrefs(9)
    digest = ChatPrefs(9, digest_at="08:00", timezone="Europe/Berlin", digest_sent_at=5.0)
    store.save_prefs(digest)
    store.save_prefs(ChatPrefs(10, muted_until=99.0))
    store.save_prefs(ChatPrefs(11))
    assert store.prefs_of(9) == digest
    assert sorted(p.chat_id for p in store.holding_prefs()) == [9, 10]


def test_chat_migration_moves_subscriptions_and_queue(store: Store) -> None:
    """A group that became a supergroup keeps its subscriptions and pending messages."""
    store.upsert_subscriber(-5, user_id=None, chat_type="group", now=1.0)
    store.subscribe(-5, "t", 1.0)
    run(store, plan(alerts=(planned("t", chats=(-5,)),)))
    store.migrate_chat(-77, -5, now=1.0)
    store.migrate_chat(-5, -1005, now=2.0)
    assert store.subscribers_of(["t"]) == {"t": [-1005]}
    assert [d.chat_id for d in store.claim_due(now=1.0)] == [-1005]
    assert store.current_chat_ids([-5, -77, 3]) == {-5: -1005, -77: -1005, 3: 3}


def test_settings_round_trip(store: Store) -> None:
    """Small key/value settings are stored and overwritten."""
    assert store.get_setting("k") is None
    store.set_setting("k", "1")
    store.set_setting("k", "2")
    assert store.get_setting("k") == "2"


# -- the service over the ports --------------------------------------------------------------


async def test_a_source_run_through_the_service_writes_in_one_transaction(
    store_url: str, tmp_path: Path
) -> None:
    """A feed run that fetches, places and alerts five articles writes once, whatever N."""
    with NewsServer() as news:
        news.feed("/feed", [])
        doc = yaml.safe_load((ROOT / "config" / "newsbot.yaml").read_text(encoding="utf-8"))
        doc["sources"] = [{"id": "wire", "url": news.url("/feed"), "kind": "feed"}]
        doc["fetch"] = {"host_delay": "0s", "min_interval": "1s", "timeout": "5s"}
        doc["storage"] = {"url": store_url}
        config = parse_config(yaml.safe_dump(doc), file="contract.yaml", env={})
        store = Store(store_url)
        fetcher = Fetcher(config.fetch)
        now = datetime.now(UTC).timestamp()
        try:
            deps = Deps(store=store, fetcher=fetcher, clock=lambda: now, rand=lambda: 0.0)
            await check_source(config.sources[0], config, deps)  # the baseline run
            pages = sorted(DEMO.glob("*.html"))
            for page in pages:
                news.page_file(f"/a/{page.name}", page)
            published = datetime.fromtimestamp(now, UTC)
            news.feed("/feed", [Entry(f"/a/{p.name}", p.stem, published) for p in pages])
            writes = WriteCounter(store)
            deps = replace(deps, clock=lambda: now + 3600)
            report = await check_source(config.sources[0], config, deps)
        finally:
            await fetcher.aclose()
            store.close()
    assert report.pages == len(pages) and report.deliveries
    assert writes.transactions == 1


class WriteCounter:
    """Counts the committed transactions of an engine that wrote anything."""

    def __init__(self, store: Store) -> None:
        self.transactions = 0
        self._wrote = False
        event.listen(store.engine, "before_cursor_execute", self._statement)
        event.listen(store.engine, "commit", self._commit)

    def _statement(self, _conn: object, _cursor: object, sql: str, *_: object) -> None:
        if sql.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            self._wrote = True

    def _commit(self, _conn: object) -> None:
        self.transactions += self._wrote
        self._wrote = False
