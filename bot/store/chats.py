"""Subscribers, their subscriptions and preferences, and the chats that moved to a new id."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_, select, update

from bot.delivery.holds import ChatPrefs
from bot.store.base import StoreBase
from bot.store.schema import chat_migrations, chat_prefs, deliveries, subscribers, subscriptions


class ChatRecords:
    """Who receives what, and how."""

    def __init__(self, db: StoreBase) -> None:
        self.db = db

    def upsert_subscriber(
        self, chat_id: int, *, user_id: int | None, chat_type: str, now: float
    ) -> None:
        with self.db._tx() as conn:
            conn.execute(
                self.db._insert_ignore(subscribers),
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
        with self.db._tx() as conn:
            result = conn.execute(
                self.db._insert_ignore(subscriptions),
                {"chat_id": chat_id, "topic_id": topic_id, "created_at": now},
            )
            return bool(result.rowcount)

    def unsubscribe(self, chat_id: int, topic_id: str) -> bool:
        with self.db._tx() as conn:
            result = conn.execute(
                subscriptions.delete().where(
                    subscriptions.c.chat_id == chat_id, subscriptions.c.topic_id == topic_id
                )
            )
            return bool(result.rowcount)

    def subscriptions_of(self, chat_id: int) -> list[str]:
        with self.db._tx() as conn:
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
        with self.db._tx() as conn:
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
        with self.db._tx() as conn:
            conn.execute(
                update(subscribers)
                .where(subscribers.c.chat_id == chat_id)
                .values(active=False, inactive_reason=reason)
            )

    def migrate_chat(self, old_chat_id: int, new_chat_id: int, *, now: float) -> None:
        """A group became a supergroup: move its subscriptions and queued deliveries."""
        with self.db._tx() as conn:
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
            conn.execute(
                self.db._insert_ignore(chat_migrations),
                {"old_chat_id": old_chat_id, "new_chat_id": new_chat_id, "migrated_at": now},
            )

    def current_chat_ids(self, chat_ids: Iterable[int]) -> dict[int, int]:
        """Each chat id as it is now: a group that became a supergroup answers its new id."""
        wanted = list(dict.fromkeys(chat_ids))
        if not wanted:
            return {}
        m = chat_migrations.c
        with self.db._tx() as conn:
            rows = conn.execute(
                select(m.old_chat_id, m.new_chat_id).where(m.old_chat_id.in_(wanted))
            ).all()
        moved = {int(old): int(new) for old, new in rows}
        return {chat_id: moved.get(chat_id, chat_id) for chat_id in wanted}

    def prefs_of(self, chat_id: int) -> ChatPrefs:
        with self.db._tx() as conn:
            row = conn.execute(select(chat_prefs).where(chat_prefs.c.chat_id == chat_id)).first()
        return _prefs(row._mapping) if row else ChatPrefs(chat_id)

    def holding_prefs(self) -> list[ChatPrefs]:
        """Preferences of chats that may hold deliveries (muted or on a digest)."""
        c = chat_prefs.c
        with self.db._tx() as conn:
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
        with self.db._tx() as conn:
            conn.execute(self.db._insert_ignore(chat_prefs), {"chat_id": prefs.chat_id, **values})
            conn.execute(
                update(chat_prefs).where(chat_prefs.c.chat_id == prefs.chat_id).values(values)
            )


def _prefs(row: Any) -> ChatPrefs:
    return ChatPrefs(
        chat_id=int(row["chat_id"]),
        muted_until=row["muted_until"],
        digest_at=row["digest_at"],
        timezone=row["timezone"] or "UTC",
        digest_sent_at=row["digest_sent_at"],
    )
