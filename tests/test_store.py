"""The SQLite store: dedupe across restarts, the outbox states, subscriptions, crash recovery."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.model import Alert, Article, PlannedAlert
from bot.store import Store


def article(url: str = "https://news.example/a", blocked: bool = False) -> Article:
    return Article(
        url=url,
        title="Title",
        author=None,
        published=datetime(2026, 11, 1, tzinfo=UTC),
        language="en",
        text="Body.",
        blocked=blocked,
    )


def planned(
    topic: str, url: str = "https://news.example/a", chats: tuple[int, ...] = (1, 2)
) -> PlannedAlert:
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


def test_alert_and_deliveries_are_created_once_across_reopen(tmp_path: Path) -> None:
    """The same (article, topic) stored twice, even after reopening the DB, makes one alert."""
    url = f"sqlite:///{tmp_path}/n.db"
    store = Store(url)
    first = store.record_check(source_id="s", now=1.0, articles_found=[(article(), [planned("t")])])
    assert len(first) == 2
    store.close()
    store = Store(url)
    again = store.record_check(source_id="s", now=2.0, articles_found=[(article(), [planned("t")])])
    assert again == []
    assert store.alerted_topics("https://news.example/a") == {"t"}
    assert store.delivery_counts() == {"pending": 2}


def test_outbox_claim_send_retry_fail(tmp_path: Path) -> None:
    """Claimed deliveries are `sending`; sent, retried (due at retry_at) and failed stick."""
    store = Store(f"sqlite:///{tmp_path}/n.db")
    ids = store.record_check(
        source_id="s", now=10.0, articles_found=[(article(), [planned("t", chats=(1, 2, 3))])]
    )
    claimed = store.claim_due(now=10.0)
    assert [d.id for d in claimed] == ids
    assert claimed[0].alert.marks == ((0, 1),)
    assert store.claim_due(now=10.0) == []  # nothing claimed twice
    store.mark_sent(ids[0], message_id=7, now=11.0)
    store.mark_retry(ids[1], error="HTTP 502", retry_at=20.0)
    store.mark_failed(ids[2], error="Forbidden: bot was blocked by the user")
    assert store.delivery_counts() == {"sent": 1, "pending": 1, "failed": 1}
    assert store.claim_due(now=19.0) == []
    retried = store.claim_due(now=20.0)
    assert [d.id for d in retried] == [ids[1]]
    assert retried[0].attempts == 1 and retried[0].last_error == "HTTP 502"


def test_interrupted_sends_are_requeued(tmp_path: Path) -> None:
    """Deliveries left `sending` by a crash go back to `pending` on the next start."""
    url = f"sqlite:///{tmp_path}/n.db"
    store = Store(url)
    store.record_check(source_id="s", now=1.0, articles_found=[(article(), [planned("t")])])
    assert len(store.claim_due(now=1.0)) == 2
    store.close()
    store = Store(url)
    assert store.requeue_interrupted() == 2
    assert len(store.claim_due(now=1.0)) == 2


def test_subscriptions_and_deactivation(tmp_path: Path) -> None:
    """Subscribing twice is idempotent; a deactivated chat is no longer a recipient."""
    store = Store(f"sqlite:///{tmp_path}/n.db")
    store.upsert_subscriber(5, user_id=5, chat_type="private", now=1.0)
    assert store.subscribe(5, "t", 1.0) is True
    assert store.subscribe(5, "t", 2.0) is False
    assert store.subscribers_of(["t", "u"]) == {"t": [5], "u": []}
    store.deactivate_chat(5, "Forbidden: bot was blocked by the user")
    assert store.subscribers_of(["t"]) == {"t": []}
    assert store.unsubscribe(5, "t") is True
    assert store.subscriptions_of(5) == []


def test_chat_migration_moves_subscriptions_and_queue(tmp_path: Path) -> None:
    """A group that became a supergroup keeps its subscriptions and pending messages."""
    store = Store(f"sqlite:///{tmp_path}/n.db")
    store.upsert_subscriber(-5, user_id=None, chat_type="group", now=1.0)
    store.subscribe(-5, "t", 1.0)
    store.record_check(
        source_id="s", now=1.0, articles_found=[(article(), [planned("t", chats=(-5,))])]
    )
    store.migrate_chat(-5, -1005)
    assert store.subscribers_of(["t"]) == {"t": [-1005]}
    assert [d.chat_id for d in store.claim_due(now=1.0)] == [-1005]


def test_source_health_is_recorded(tmp_path: Path) -> None:
    """Failures count up and reset on success; consent walls are counted."""
    store = Store(f"sqlite:///{tmp_path}/n.db")
    store.record_source_result("s", now=1.0, error="HTTP 500")
    store.record_source_result("s", now=2.0, error="timed out")
    status = store.source_statuses()["s"]
    assert status.consecutive_failures == 2 and status.status == "failing"
    store.record_check(source_id="s", now=3.0, articles_found=[(article(blocked=True), [])])
    status = store.source_statuses()["s"]
    assert status.consecutive_failures == 0 and status.status == "blocked"
    assert status.blocked_count == 1 and status.last_error == "timed out"


def test_seen_items_are_remembered(tmp_path: Path) -> None:
    """Feed items recorded as seen are not reported as new again, order kept for the rest."""
    store = Store(f"sqlite:///{tmp_path}/n.db")
    store.record_check(source_id="s", now=1.0, articles_found=[], seen_keys=["a", "b"])
    assert store.unseen_items("s", ["c", "a", "d", "b"]) == ["c", "d"]
    assert store.unseen_items("other", ["a"]) == ["a"]


def test_settings_round_trip(tmp_path: Path) -> None:
    """Small key/value settings are stored and overwritten."""
    store = Store(f"sqlite:///{tmp_path}/n.db")
    assert store.get_setting("k") is None
    store.set_setting("k", "1")
    store.set_setting("k", "2")
    assert store.get_setting("k") == "2"
