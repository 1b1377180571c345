"""What each part of newsbot needs from storage, as ports (``typing.Protocol``).

The service, the delivery loop, the Telegram commands, the admin commands and the ``sources``
CLI each depend on their port, not on the database: ``bot.store.Store`` implements them all on
SQLAlchemy (SQLite or PostgreSQL), and ``tests/test_store_contract.py`` states their behaviour
for every backend.

    RunStore        one run of a source: read health, items, validators and stories; persist
                    the whole run in one transaction (``record_run``)
    OutboxStore     the delivery loop: claim due deliveries, record outcomes, digests
    ChatStore       Telegram commands: subscribers, subscriptions, preferences
    AdminStore      admin commands: sources' health and the outbox at a glance
    SourcesStore    the ``sources`` CLI: health and item rate per source

Times are UTC epoch seconds, passed in (``now``): no port method reads a clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from bot.delivery.holds import ChatPrefs
from bot.delivery.plan import SourceRun, StoryContext
from bot.model import Delivery, DeliveryState, Validators
from bot.sources.health import SourceHealth
from bot.stories.fingerprint import Fingerprint


class SourceHealthReader(Protocol):
    def source_health(self, source_id: str) -> SourceHealth:
        """The source's health as its last run left it (a fresh ``SourceHealth`` if none)."""

    def source_statuses(self) -> dict[str, SourceHealth]:
        """The health of every source that ran at least once, by source id."""


class RunStore(SourceHealthReader, Protocol):
    def fetch_validators(self, url: str) -> Validators | None:
        """ETag, Last-Modified and content hash kept for ``url`` by an earlier run, if any."""

    def unseen_items(self, source_id: str, keys: Sequence[str]) -> list[str]:
        """The keys (item URLs or ids) this source has not recorded yet, in the given order,
        without repeats."""

    def story_contexts(
        self, wanted: Sequence[tuple[str, Fingerprint | None]], *, since: float
    ) -> list[StoryContext]:
        """For each (URL, fingerprint): the latest stored version of the URL, the articles
        seen since ``since`` at another URL whose fingerprints share a band with it (candidate
        copies; none without a fingerprint), and the topics those stories have alerted."""

    def subscribers_of(self, topic_ids: Iterable[str]) -> dict[str, list[int]]:
        """Active subscriber chats of each topic, earliest subscription first."""

    def current_chat_ids(self, chat_ids: Iterable[int]) -> dict[int, int]:
        """Each chat id as it is now: a group that became a supergroup answers its new id."""

    def record_run(self, run: SourceRun) -> list[int]:
        """Persist a whole run in one transaction: its articles in their stories (a story the
        run created, provisional id below zero, is inserted once), their alerts (an alert
        already stored for (article, topic) is not made again) and a pending delivery per
        recipient, the seen item keys, the validators, the source's health. Returns the ids of
        the new deliveries; on a ``StorageError`` nothing of the run is stored."""


class ChatStore(Protocol):
    def upsert_subscriber(
        self, chat_id: int, *, user_id: int | None, chat_type: str, now: float
    ) -> None:
        """Record the chat as an active subscriber (again, if it had stopped)."""

    def subscribe(self, chat_id: int, topic_id: str, now: float) -> bool:
        """Add a subscription; False when it already existed."""

    def unsubscribe(self, chat_id: int, topic_id: str) -> bool:
        """Remove a subscription; False when there was none."""

    def subscriptions_of(self, chat_id: int) -> list[str]:
        """The chat's topic ids, sorted."""

    def prefs_of(self, chat_id: int) -> ChatPrefs:
        """The chat's delivery preferences (the defaults when it set none)."""

    def save_prefs(self, prefs: ChatPrefs) -> None:
        """Store the chat's delivery preferences, replacing what it had."""

    def pending_count(self, chat_id: int) -> int:
        """Deliveries of the chat still waiting (``pending`` or ``sending``)."""


class OutboxStore(Protocol):
    def requeue_interrupted(self) -> int:
        """After a crash, deliveries left in ``sending`` go back to ``pending`` (at-least-once);
        returns how many."""

    def holding_prefs(self) -> list[ChatPrefs]:
        """Preferences of the chats that may hold deliveries (muted or on a digest)."""

    def prefs_of(self, chat_id: int) -> ChatPrefs:
        """The chat's delivery preferences (the defaults when it set none)."""

    def save_prefs(self, prefs: ChatPrefs) -> None:
        """Store the chat's delivery preferences, replacing what it had."""

    def pending_count(self, chat_id: int) -> int:
        """Deliveries of the chat still waiting (``pending`` or ``sending``)."""

    def claim_due(
        self, now: float, limit: int = 100, *, held: Iterable[int] = ()
    ) -> list[Delivery]:
        """Mark up to ``limit`` due pending deliveries ``sending`` and return them, oldest
        first. Per chat only the head of its queue is claimable: a delivery whose chat has an
        earlier one still waiting (retry not due yet, or being sent) stays. ``held`` chats
        (muted, collecting a digest) are skipped."""

    def next_pending_at(self, *, after: float, held: Iterable[int] = ()) -> float | None:
        """The earliest retry time later than ``after`` of a pending delivery, held chats
        aside (None: there is none)."""

    def mark_sent_many(
        self, delivery_ids: Iterable[int], *, message_id: int | None, now: float
    ) -> None:
        """The deliveries grouped into one message went out together: ``sent``, one more
        attempt each."""

    def mark_retry(self, delivery_id: int, *, error: str, retry_at: float) -> None:
        """A failed attempt retried later: back to ``pending`` at ``retry_at``, error kept."""

    def mark_failed(self, delivery_id: int, *, error: str) -> None:
        """A delivery given up: ``failed`` with its reason."""

    def record_attempt(self, delivery_ids: Iterable[int], *, error: str) -> None:
        """A failed attempt that is retried at once: counted, error kept, still ``sending``."""

    def release_many(self, delivery_ids: Iterable[int]) -> None:
        """Claimed deliveries not sent go back to ``pending`` without counting an attempt."""

    def fail_waiting(self, chat_id: int, *, error: str) -> int:
        """Every delivery still waiting for ``chat_id`` fails (the chat blocked the bot);
        returns how many."""

    def deactivate_chat(self, chat_id: int, reason: str) -> None:
        """The chat is gone (blocked the bot, deleted): it stops receiving, with the reason."""

    def migrate_chat(self, old_chat_id: int, new_chat_id: int, *, now: float) -> None:
        """A group became a supergroup: its subscriptions, preferences and queued deliveries
        move to the new id (merged with what that id already had), and the move is kept for
        chat ids named in the config."""


class AdminStore(SourceHealthReader, Protocol):
    def delivery_counts(self) -> dict[DeliveryState, int]:
        """How many deliveries are in each state."""

    def failed_deliveries(self, limit: int = 5) -> list[tuple[int, int, str]]:
        """The latest failed deliveries, newest first: (delivery id, chat id, reason)."""


class SourcesStore(SourceHealthReader, Protocol):
    def items_per_day(self, source_id: str, *, now: float, days: float = 7.0) -> float:
        """New items the source recorded per day over the last ``days`` days."""
