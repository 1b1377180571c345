"""Subscribers, their subscriptions and preferences, and the delivery outbox.

The outbox keeps each chat's messages in order: a delivery is claimed only when no earlier
delivery of the same chat is still waiting (in ``sending``, or ``pending`` with a retry time in
the future), so a later alert never overtakes one that waits for a retry.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.sql import alias

from bot.delivery.holds import ChatPrefs
from bot.model import Alert, Delivery, DeliveryState
from bot.store.base import StoreBase, dt
from bot.store.schema import (
    alerts,
    articles,
    chat_migrations,
    chat_prefs,
    deliveries,
    subscribers,
    subscriptions,
)

_WAITING = ("pending", "sending")


class ChatRecords(StoreBase):
    """Who receives what, and every (alert, chat) message until it is sent or given up."""

    # -- subscribers -----------------------------------------------------------------------

    def upsert_subscriber(
        self, chat_id: int, *, user_id: int | None, chat_type: str, now: float
    ) -> None:
        with self._tx() as conn:
            conn.execute(
                self._insert_ignore(subscribers),
                {
                    "chat_id": chat_id,
                    "user_id": user_id,
                    "chat_type": chat_type,
                    "active": True,
                    "created_at": now,
                },
            )
            conn.execute(
                update(subscribers)
                .where(subscribers.c.chat_id == chat_id)
                .values(active=True, inactive_reason=None)
            )

    def subscribe(self, chat_id: int, topic_id: str, now: float) -> bool:
        """Add a subscription; False when it already existed."""
        with self._tx() as conn:
            result = conn.execute(
                self._insert_ignore(subscriptions),
                {"chat_id": chat_id, "topic_id": topic_id, "created_at": now},
            )
            return bool(result.rowcount)

    def unsubscribe(self, chat_id: int, topic_id: str) -> bool:
        with self._tx() as conn:
            result = conn.execute(
                subscriptions.delete().where(
                    subscriptions.c.chat_id == chat_id, subscriptions.c.topic_id == topic_id
                )
            )
            return bool(result.rowcount)

    def subscriptions_of(self, chat_id: int) -> list[str]:
        with self._tx() as conn:
            rows = conn.execute(
                select(subscriptions.c.topic_id)
                .where(subscriptions.c.chat_id == chat_id)
                .order_by(subscriptions.c.topic_id)
            )
            return [row[0] for row in rows]

    def subscribers_of(self, topic_ids: Iterable[str]) -> dict[str, list[int]]:
        """Active subscriber chats per topic."""
        wanted = list(topic_ids)
        out: dict[str, list[int]] = {t: [] for t in wanted}
        if not wanted:
            return out
        with self._tx() as conn:
            rows = conn.execute(
                select(subscriptions.c.topic_id, subscriptions.c.chat_id)
                .join(subscribers, subscribers.c.chat_id == subscriptions.c.chat_id)
                .where(subscriptions.c.topic_id.in_(wanted), subscribers.c.active.is_(True))
                .order_by(subscriptions.c.created_at)
            )
            for topic_id, chat_id in rows:
                out[topic_id].append(int(chat_id))
        return out

    def deactivate_chat(self, chat_id: int, reason: str) -> None:
        with self._tx() as conn:
            conn.execute(
                update(subscribers)
                .where(subscribers.c.chat_id == chat_id)
                .values(active=False, inactive_reason=reason)
            )

    def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: move its subscriptions and queued deliveries."""
        with self._tx() as conn:
            for table in (subscribers, chat_prefs):  # keyed by chat: the new id's row wins
                taken = conn.execute(
                    select(table.c.chat_id).where(table.c.chat_id == new_chat_id)
                ).first()
                if taken:
                    conn.execute(table.delete().where(table.c.chat_id == old_chat_id))
            s = subscriptions.c
            kept = select(s.topic_id).where(s.chat_id == new_chat_id).scalar_subquery()
            conn.execute(
                subscriptions.delete().where(s.chat_id == old_chat_id, s.topic_id.in_(kept))
            )
            d = deliveries.c
            known = select(d.alert_id).where(d.chat_id == new_chat_id).scalar_subquery()
            conn.execute(deliveries.delete().where(d.chat_id == old_chat_id, d.alert_id.in_(known)))
            for table in (subscribers, subscriptions, deliveries, chat_prefs):
                conn.execute(
                    update(table).where(table.c.chat_id == old_chat_id).values(chat_id=new_chat_id)
                )
            # Remember the move (and re-point older moves to this chat) for ids in config.
            m = chat_migrations.c
            conn.execute(
                update(chat_migrations)
                .where(m.new_chat_id == old_chat_id)
                .values(new_chat_id=new_chat_id)
            )
            now = time.time()
            conn.execute(
                self._insert_ignore(chat_migrations),
                {"old_chat_id": old_chat_id, "new_chat_id": new_chat_id, "migrated_at": now},
            )

    def current_chat_ids(self, chat_ids: Iterable[int]) -> dict[int, int]:
        """Each chat id as it is now: a group that became a supergroup answers its new id."""
        wanted = list(dict.fromkeys(chat_ids))
        if not wanted:
            return {}
        m = chat_migrations.c
        with self._tx() as conn:
            rows = conn.execute(
                select(m.old_chat_id, m.new_chat_id).where(m.old_chat_id.in_(wanted))
            ).all()
        moved = {int(old): int(new) for old, new in rows}
        return {chat_id: moved.get(chat_id, chat_id) for chat_id in wanted}

    # -- outbox ----------------------------------------------------------------------------

    def requeue_interrupted(self) -> int:
        """After a crash, deliveries left in ``sending`` go back to ``pending`` (at-least-once)."""
        with self._tx() as conn:
            result = conn.execute(
                update(deliveries).where(deliveries.c.state == "sending").values(state="pending")
            )
            return int(result.rowcount or 0)

    def claim_due(
        self, now: float, limit: int = 100, *, held: Iterable[int] = ()
    ) -> list[Delivery]:
        """Mark up to ``limit`` due pending deliveries ``sending``; return them, oldest first.

        Per chat only the head of its queue is claimable: a delivery whose chat has an earlier
        one still waiting (retry not due yet, or being sent) stays. ``held`` chats (muted,
        collecting a digest) are skipped.
        """
        d, a, ar = deliveries.c, alerts.c, articles.c
        earlier = alias(deliveries, "earlier")
        e = earlier.c
        blocked_by_earlier = exists().where(
            e.chat_id == d.chat_id,
            e.id < d.id,
            or_(e.state == "sending", and_(e.state == "pending", e.next_attempt_at > now)),
        )
        held_ids = list(dict.fromkeys(held))
        query = (
            select(
                d.id,
                d.alert_id,
                d.chat_id,
                d.state,
                d.attempts,
                d.next_attempt_at,
                d.last_error,
                a.topic_id,
                a.topic_name,
                a.reason,
                a.snippet,
                a.marks,
                ar.url,
                ar.title,
                ar.source_id,
                ar.published_at,
            )
            .join(alerts, d.alert_id == alerts.c.id)
            .join(articles, a.article_id == articles.c.id)
            .where(d.state == "pending", d.next_attempt_at <= now, ~blocked_by_earlier)
            .order_by(d.id)
            .limit(limit)
        )
        if held_ids:
            query = query.where(d.chat_id.not_in(held_ids))
        with self._tx() as conn:
            rows = conn.execute(query).mappings().all()
            ids = [row["id"] for row in rows]
            if ids:
                conn.execute(update(deliveries).where(d.id.in_(ids)).values(state="sending"))
        return [_delivery(row) for row in rows]

    def mark_sent(self, delivery_id: int, *, message_id: int | None, now: float) -> None:
        self._set(
            delivery_id,
            state="sent",
            sent_at=now,
            message_id=message_id,
            attempts=deliveries.c.attempts + 1,
        )

    def mark_sent_many(
        self, delivery_ids: Iterable[int], *, message_id: int | None, now: float
    ) -> None:
        """The deliveries grouped into one message went out together."""
        ids = list(delivery_ids)
        with self._tx() as conn:
            conn.execute(
                update(deliveries)
                .where(deliveries.c.id.in_(ids))
                .values(
                    state="sent",
                    sent_at=now,
                    message_id=message_id,
                    attempts=deliveries.c.attempts + 1,
                )
            )

    def record_attempt(self, delivery_ids: Iterable[int], *, error: str) -> None:
        """A failed attempt that is retried at once: counted, error kept, still ``sending``."""
        ids = list(delivery_ids)
        with self._tx() as conn:
            conn.execute(
                update(deliveries)
                .where(deliveries.c.id.in_(ids))
                .values(last_error=error, attempts=deliveries.c.attempts + 1)
            )

    def fail_waiting(self, chat_id: int, *, error: str) -> int:
        """Every delivery still waiting for ``chat_id`` fails (the chat blocked the bot)."""
        with self._tx() as conn:
            result = conn.execute(
                update(deliveries)
                .where(deliveries.c.chat_id == chat_id, deliveries.c.state.in_(_WAITING))
                .values(state="failed", last_error=error)
            )
            return int(result.rowcount or 0)

    def next_pending_at(self, *, after: float, held: Iterable[int] = ()) -> float | None:
        """The earliest retry time later than ``after`` of a pending delivery, held chats
        aside (None: there is none)."""
        d = deliveries.c
        query = select(func.min(d.next_attempt_at)).where(
            d.state == "pending", d.next_attempt_at > after
        )
        held_ids = list(held)
        if held_ids:
            query = query.where(d.chat_id.not_in(held_ids))
        with self._tx() as conn:
            found = conn.execute(query).scalar()
            return float(found) if found is not None else None

    def pending_count(self, chat_id: int) -> int:
        with self._tx() as conn:
            found = conn.execute(
                select(func.count()).where(
                    deliveries.c.chat_id == chat_id, deliveries.c.state.in_(_WAITING)
                )
            ).scalar()
            return int(found or 0)

    def failed_deliveries(self, limit: int = 5) -> list[tuple[int, int, str]]:
        """The latest failed deliveries: (delivery id, chat id, reason)."""
        d = deliveries.c
        with self._tx() as conn:
            rows = conn.execute(
                select(d.id, d.chat_id, d.last_error)
                .where(d.state == "failed")
                .order_by(d.id.desc())
                .limit(limit)
            )
            return [(int(r[0]), int(r[1]), str(r[2] or "")) for r in rows]

    def mark_retry(self, delivery_id: int, *, error: str, retry_at: float) -> None:
        self._set(
            delivery_id,
            state="pending",
            last_error=error,
            next_attempt_at=retry_at,
            attempts=deliveries.c.attempts + 1,
        )

    def release(self, delivery_id: int) -> None:
        """Put a claimed delivery back to ``pending`` without counting an attempt."""
        self._set(delivery_id, state="pending")

    def release_many(self, delivery_ids: Iterable[int]) -> None:
        ids = list(delivery_ids)
        if ids:
            with self._tx() as conn:
                conn.execute(
                    update(deliveries)
                    .where(deliveries.c.id.in_(ids), deliveries.c.state == "sending")
                    .values(state="pending")
                )

    # -- preferences -----------------------------------------------------------------------

    def prefs_of(self, chat_id: int) -> ChatPrefs:
        with self._tx() as conn:
            row = conn.execute(select(chat_prefs).where(chat_prefs.c.chat_id == chat_id)).first()
        return _prefs(row._mapping) if row else ChatPrefs(chat_id)

    def holding_prefs(self) -> list[ChatPrefs]:
        """Preferences of chats that may hold deliveries (muted or on a digest)."""
        c = chat_prefs.c
        with self._tx() as conn:
            rows = conn.execute(
                select(chat_prefs).where(or_(c.muted_until.is_not(None), c.digest_at.is_not(None)))
            ).mappings()
            return [_prefs(row) for row in rows]

    def save_prefs(self, prefs: ChatPrefs) -> None:
        values = {
            "muted_until": prefs.muted_until,
            "digest_at": prefs.digest_at,
            "timezone": prefs.timezone,
            "digest_sent_at": prefs.digest_sent_at,
        }
        with self._tx() as conn:
            conn.execute(self._insert_ignore(chat_prefs), {"chat_id": prefs.chat_id, **values})
            conn.execute(
                update(chat_prefs).where(chat_prefs.c.chat_id == prefs.chat_id).values(values)
            )

    def mark_failed(self, delivery_id: int, *, error: str) -> None:
        self._set(delivery_id, state="failed", last_error=error, attempts=deliveries.c.attempts + 1)

    def _set(self, delivery_id: int, **values: Any) -> None:
        with self._tx() as conn:
            conn.execute(update(deliveries).where(deliveries.c.id == delivery_id).values(**values))

    def delivery_counts(self) -> dict[DeliveryState, int]:
        with self._tx() as conn:
            rows = conn.execute(
                select(deliveries.c.state, func.count()).group_by(deliveries.c.state)
            )
            return {row[0]: int(row[1]) for row in rows}


def _prefs(row: Any) -> ChatPrefs:
    return ChatPrefs(
        chat_id=int(row["chat_id"]),
        muted_until=row["muted_until"],
        digest_at=row["digest_at"],
        timezone=row["timezone"] or "UTC",
        digest_sent_at=row["digest_sent_at"],
    )


def _delivery(row: Any) -> Delivery:
    return Delivery(
        id=int(row["id"]),
        alert_id=int(row["alert_id"]),
        chat_id=int(row["chat_id"]),
        state=row["state"],
        attempts=int(row["attempts"]),
        next_attempt_at=datetime.fromtimestamp(row["next_attempt_at"], UTC),
        last_error=row["last_error"],
        alert=Alert(
            topic_id=row["topic_id"],
            topic_name=row["topic_name"],
            url=row["url"],
            title=row["title"],
            source_id=row["source_id"],
            published=dt(row["published_at"]),
            reason=row["reason"],
            snippet=row["snippet"],
            marks=tuple(tuple(m) for m in json.loads(row["marks"])),
        ),
    )
