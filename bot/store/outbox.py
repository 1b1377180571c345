"""The delivery outbox: every (alert, chat) message until it is sent or given up.

The outbox keeps each chat's messages in order: a delivery is claimed only when no earlier
delivery of the same chat is still waiting (in ``sending``, or ``pending`` with a retry time in
the future), so a later alert never overtakes one that waits for a retry.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.sql import alias

from bot.model import Alert, Delivery, DeliveryState
from bot.store.base import StoreBase, dt
from bot.store.schema import alerts, articles, deliveries

_WAITING = ("pending", "sending")


class Outbox:
    """Deliveries and their states: pending, sending, sent, failed."""

    def __init__(self, db: StoreBase) -> None:
        self.db = db

    def requeue_interrupted(self) -> int:
        """After a crash, deliveries left in ``sending`` go back to ``pending`` (at-least-once)."""
        with self.db._tx() as conn:
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
        with self.db._tx() as conn:
            rows = conn.execute(query).mappings().all()
            ids = [row["id"] for row in rows]
            if ids:
                conn.execute(update(deliveries).where(d.id.in_(ids)).values(state="sending"))
        return [_delivery(row) for row in rows]

    def mark_sent_many(
        self, delivery_ids: Iterable[int], *, message_id: int | None, now: float
    ) -> None:
        """The deliveries grouped into one message went out together."""
        ids = list(delivery_ids)
        with self.db._tx() as conn:
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
        with self.db._tx() as conn:
            conn.execute(
                update(deliveries)
                .where(deliveries.c.id.in_(ids))
                .values(last_error=error, attempts=deliveries.c.attempts + 1)
            )

    def fail_waiting(self, chat_id: int, *, error: str) -> int:
        """Every delivery still waiting for ``chat_id`` fails (the chat blocked the bot)."""
        with self.db._tx() as conn:
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
        with self.db._tx() as conn:
            found = conn.execute(query).scalar()
            return float(found) if found is not None else None

    def pending_count(self, chat_id: int) -> int:
        with self.db._tx() as conn:
            found = conn.execute(
                select(func.count()).where(
                    deliveries.c.chat_id == chat_id, deliveries.c.state.in_(_WAITING)
                )
            ).scalar()
            return int(found or 0)

    def failed_deliveries(self, limit: int = 5) -> list[tuple[int, int, str]]:
        """The latest failed deliveries: (delivery id, chat id, reason)."""
        d = deliveries.c
        with self.db._tx() as conn:
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

    def release_many(self, delivery_ids: Iterable[int]) -> None:
        ids = list(delivery_ids)
        if ids:
            with self.db._tx() as conn:
                conn.execute(
                    update(deliveries)
                    .where(deliveries.c.id.in_(ids), deliveries.c.state == "sending")
                    .values(state="pending")
                )

    def mark_failed(self, delivery_id: int, *, error: str) -> None:
        self._set(delivery_id, state="failed", last_error=error, attempts=deliveries.c.attempts + 1)

    def _set(self, delivery_id: int, **values: Any) -> None:
        with self.db._tx() as conn:
            conn.execute(update(deliveries).where(deliveries.c.id == delivery_id).values(**values))

    def delivery_counts(self) -> dict[DeliveryState, int]:
        with self.db._tx() as conn:
            rows = conn.execute(
                select(deliveries.c.state, func.count()).group_by(deliveries.c.state)
            )
            return {row[0]: int(row[1]) for row in rows}


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
