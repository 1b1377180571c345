"""Storage: source health, seen items, stories, articles, alerts, subscribers and the outbox.

``Store`` is one database (SQLite by default, PostgreSQL by URL). It is composed of parts by
subject (``sources``, ``stories``, ``chats``, ``outbox``) over one connection (``StoreBase``),
and implements every port of ``bot.store.ports``, where each method is documented: callers
depend on the port they need.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

from sqlalchemy import URL, Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.delivery.holds import ChatPrefs
from bot.delivery.plan import SourceRun, StoryContext
from bot.errors import StorageError
from bot.model import Delivery, DeliveryState, Validators
from bot.sources.health import SourceHealth
from bot.store.base import StoreBase, reason
from bot.store.chats import ChatRecords
from bot.store.instance import InstanceLock
from bot.store.outbox import Outbox
from bot.store.sources import SourceRecords
from bot.store.stories import StoryRecords
from bot.store.upgrade import upgrade
from bot.stories.fingerprint import Fingerprint


class Store:
    """newsbot's database: every port of ``bot.store.ports`` over one SQLAlchemy engine."""

    def __init__(self, url: str) -> None:
        self.db = StoreBase(url)
        try:
            upgrade(self.db)
        except SQLAlchemyError as exc:  # the schema upgrades read the tables outside _tx
            raise StorageError(f"cannot open database: {reason(exc)}") from None
        self.sources = SourceRecords(self.db)
        self.stories = StoryRecords(self.db)
        self.chats = ChatRecords(self.db)
        self.outbox = Outbox(self.db)
        self._lock = InstanceLock(self.db)

    @property
    def engine(self) -> Engine:
        return self.db.engine

    @property
    def dialect(self) -> str:
        return self.db.dialect

    @property
    def url(self) -> URL:
        """The database's URL (render it with ``hide_password=True`` before showing it)."""
        return self.db.url

    # -- the database as a whole -----------------------------------------------------------

    def lock_instance(self) -> None:
        """Make this the one running bot on the database; ``DatabaseInUse`` if another is."""
        self._lock.acquire()

    def check_writable(self) -> None:
        """Write once, so a read-only or full database stops the bot at start, in one line."""
        self.db.set_setting("opened_at", str(time.time()))

    def get_setting(self, key: str) -> str | None:
        """A value kept in the database under ``key`` (None when there is none)."""
        return self.db.get_setting(key)

    def set_setting(self, key: str, value: str) -> None:
        """Keep ``value`` under ``key``, replacing what was there."""
        self.db.set_setting(key, value)

    def close(self) -> None:
        """Release the instance lock and the connections."""
        self._lock.release()
        self.db.close()

    # -- RunStore (and the health readers) -------------------------------------------------

    def source_health(self, source_id: str) -> SourceHealth:
        return self.sources.source_health(source_id)

    def source_statuses(self) -> dict[str, SourceHealth]:
        return self.sources.source_statuses()

    def items_per_day(self, source_id: str, *, now: float, days: float = 7.0) -> float:
        return self.sources.items_per_day(source_id, now=now, days=days)

    def fetch_validators(self, url: str) -> Validators | None:
        return self.sources.fetch_validators(url)

    def unseen_items(self, source_id: str, keys: Sequence[str]) -> list[str]:
        return self.sources.unseen_items(source_id, keys)

    def story_contexts(
        self, wanted: Sequence[tuple[str, Fingerprint | None]], *, since: float
    ) -> list[StoryContext]:
        return self.stories.story_contexts(wanted, since=since)

    def also_reported_by(self, story_id: int) -> list[tuple[str, str]]:
        """(source id, URL) of every article of the story, first seen first."""
        return self.stories.also_reported_by(story_id)

    def subscribers_of(self, topic_ids: Iterable[str]) -> dict[str, list[int]]:
        return self.chats.subscribers_of(topic_ids)

    def current_chat_ids(self, chat_ids: Iterable[int]) -> dict[int, int]:
        return self.chats.current_chat_ids(chat_ids)

    def record_run(self, run: SourceRun) -> list[int]:
        with self.db._tx() as conn:
            made = self.stories.write_articles(conn, run.source_id, run.now, run.articles)
            self.sources.write_run(conn, run)
        return made

    # -- ChatStore -------------------------------------------------------------------------

    def upsert_subscriber(
        self, chat_id: int, *, user_id: int | None, chat_type: str, now: float
    ) -> None:
        self.chats.upsert_subscriber(chat_id, user_id=user_id, chat_type=chat_type, now=now)

    def subscribe(self, chat_id: int, topic_id: str, now: float) -> bool:
        return self.chats.subscribe(chat_id, topic_id, now)

    def unsubscribe(self, chat_id: int, topic_id: str) -> bool:
        return self.chats.unsubscribe(chat_id, topic_id)

    def subscriptions_of(self, chat_id: int) -> list[str]:
        return self.chats.subscriptions_of(chat_id)

    def prefs_of(self, chat_id: int) -> ChatPrefs:
        return self.chats.prefs_of(chat_id)

    def save_prefs(self, prefs: ChatPrefs) -> None:
        self.chats.save_prefs(prefs)

    def pending_count(self, chat_id: int) -> int:
        return self.outbox.pending_count(chat_id)

    # -- OutboxStore -----------------------------------------------------------------------

    def requeue_interrupted(self) -> int:
        return self.outbox.requeue_interrupted()

    def holding_prefs(self) -> list[ChatPrefs]:
        return self.chats.holding_prefs()

    def claim_due(
        self, now: float, limit: int = 100, *, held: Iterable[int] = ()
    ) -> list[Delivery]:
        return self.outbox.claim_due(now, limit, held=held)

    def next_pending_at(self, *, after: float, held: Iterable[int] = ()) -> float | None:
        return self.outbox.next_pending_at(after=after, held=held)

    def mark_sent_many(
        self, delivery_ids: Iterable[int], *, message_id: int | None, now: float
    ) -> None:
        self.outbox.mark_sent_many(delivery_ids, message_id=message_id, now=now)

    def mark_retry(self, delivery_id: int, *, error: str, retry_at: float) -> None:
        self.outbox.mark_retry(delivery_id, error=error, retry_at=retry_at)

    def mark_failed(self, delivery_id: int, *, error: str) -> None:
        self.outbox.mark_failed(delivery_id, error=error)

    def record_attempt(self, delivery_ids: Iterable[int], *, error: str) -> None:
        self.outbox.record_attempt(delivery_ids, error=error)

    def release_many(self, delivery_ids: Iterable[int]) -> None:
        self.outbox.release_many(delivery_ids)

    def fail_waiting(self, chat_id: int, *, error: str) -> int:
        return self.outbox.fail_waiting(chat_id, error=error)

    def deactivate_chat(self, chat_id: int, reason: str) -> None:
        self.chats.deactivate_chat(chat_id, reason)

    def migrate_chat(self, old_chat_id: int, new_chat_id: int, *, now: float) -> None:
        self.chats.migrate_chat(old_chat_id, new_chat_id, now=now)

    # -- AdminStore ------------------------------------------------------------------------

    def delivery_counts(self) -> dict[DeliveryState, int]:
        return self.outbox.delivery_counts()

    def failed_deliveries(self, limit: int = 5) -> list[tuple[int, int, str]]:
        return self.outbox.failed_deliveries(limit)


__all__ = ["Store"]
