"""The storage adapter: every read and write newsbot makes, each in one short transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import StorageError
from bot.model import Alert, Article, Delivery, DeliveryState, PlannedAlert
from bot.store.schema import (
    alerts,
    articles,
    deliveries,
    metadata,
    seen_items,
    settings,
    source_state,
    subscribers,
    subscriptions,
)


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """What the database knows about one source's health."""

    source_id: str
    status: str
    last_run_at: float | None
    last_success_at: float | None
    last_error: str | None
    last_error_at: float | None
    consecutive_failures: int
    blocked_count: int
    items_found: int


def _ts(value: datetime | None) -> float | None:
    return value.timestamp() if value else None


def _dt(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None


class Store:
    """newsbot's database, SQLite by default, PostgreSQL by URL."""

    def __init__(self, url: str) -> None:
        try:
            parsed = make_url(url)
        except Exception as exc:
            raise StorageError(f"invalid database URL: {exc}") from exc
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine: Engine = create_engine(parsed, future=True)
            if self.dialect == "sqlite":
                event.listen(self.engine, "connect", _sqlite_pragmas)
            metadata.create_all(self.engine)
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot open database {parsed!r}: {exc}") from exc

    def close(self) -> None:
        self.engine.dispose()

    # -- helpers -------------------------------------------------------------------------

    def _insert_ignore(self, table: Any) -> Any:
        if self.dialect == "postgresql":
            return postgresql.insert(table).on_conflict_do_nothing()
        return sqlite.insert(table).on_conflict_do_nothing()

    def _tx(self) -> Any:
        return self.engine.begin()

    # -- sources -------------------------------------------------------------------------

    def unseen_items(self, source_id: str, keys: Sequence[str]) -> list[str]:
        """The keys (item URLs or ids) this source has not recorded yet, in the given order."""
        if not keys:
            return []
        with self._tx() as conn:
            rows = conn.execute(
                select(seen_items.c.item_key).where(
                    seen_items.c.source_id == source_id, seen_items.c.item_key.in_(list(keys))
                )
            )
            seen = {row[0] for row in rows}
        return [key for key in dict.fromkeys(keys) if key not in seen]

    def mark_seen(self, conn: Connection, source_id: str, keys: Iterable[str], now: float) -> None:
        rows = [{"source_id": source_id, "item_key": k, "first_seen_at": now} for k in keys]
        if rows:
            conn.execute(self._insert_ignore(seen_items), rows)

    def record_source_result(
        self,
        source_id: str,
        *,
        now: float,
        error: str | None = None,
        blocked: int = 0,
        items_found: int = 0,
    ) -> None:
        """Record one run of a source: success, failure (``error``) or consent-walled pages."""
        with self._tx() as conn:
            self._record_source_result(conn, source_id, now, error, blocked, items_found)

    def _record_source_result(
        self,
        conn: Connection,
        source_id: str,
        now: float,
        error: str | None,
        blocked: int,
        items_found: int,
    ) -> None:
        conn.execute(
            self._insert_ignore(source_state),
            {
                "source_id": source_id,
                "consecutive_failures": 0,
                "blocked_count": 0,
                "status": "new",
                "items_found": 0,
            },
        )
        c = source_state.c
        values: dict[str, Any] = {"last_run_at": now}
        if error is not None:
            values |= {
                "last_error": error,
                "last_error_at": now,
                "status": "failing",
                "consecutive_failures": c.consecutive_failures + 1,
            }
        else:
            values |= {
                "last_success_at": now,
                "consecutive_failures": 0,
                "items_found": c.items_found + items_found,
                "status": "blocked" if blocked else "ok",
            }
            if blocked:
                values["blocked_count"] = c.blocked_count + blocked
        conn.execute(update(source_state).where(c.source_id == source_id).values(**values))

    def source_statuses(self) -> dict[str, SourceStatus]:
        with self._tx() as conn:
            rows = conn.execute(select(source_state)).mappings().all()
        return {row["source_id"]: SourceStatus(**dict(row)) for row in rows}  # type: ignore[arg-type]

    # -- articles and alerts ---------------------------------------------------------------

    def record_check(
        self,
        *,
        source_id: str,
        now: float,
        articles_found: Sequence[tuple[Article, Sequence[PlannedAlert]]],
        seen_keys: Sequence[str] = (),
        errors: Sequence[str] = (),
    ) -> list[int]:
        """Persist one run of a source in one transaction; return the new delivery ids.

        An article already stored (same canonical URL) keeps its row; an alert already stored
        for (article, topic) is not created again, so nobody is alerted twice across restarts.
        """
        new_deliveries: list[int] = []
        blocked = sum(1 for article, _ in articles_found if article.blocked)
        with self._tx() as conn:
            for article, new_alerts in articles_found:
                article_id = self._article_id(conn, article, source_id, now)
                for item in new_alerts:
                    alert_id = self._insert_alert(conn, article_id, item, now)
                    if alert_id is None:
                        continue
                    for chat_id in dict.fromkeys(item.recipients):
                        result = conn.execute(
                            self._insert_ignore(deliveries).returning(deliveries.c.id),
                            {
                                "alert_id": alert_id,
                                "chat_id": chat_id,
                                "state": "pending",
                                "attempts": 0,
                                "next_attempt_at": now,
                                "created_at": now,
                            },
                        )
                        row = result.first()
                        if row is not None:
                            new_deliveries.append(int(row[0]))
            self.mark_seen(conn, source_id, seen_keys, now)
            error = "; ".join(errors) if errors and not articles_found else None
            self._record_source_result(conn, source_id, now, error, blocked, len(articles_found))
        return new_deliveries

    def _article_id(self, conn: Connection, article: Article, source_id: str, now: float) -> int:
        url = article.url or ""
        conn.execute(
            self._insert_ignore(articles),
            {
                "url": url,
                "source_id": source_id,
                "title": article.title,
                "language": article.language,
                "published_at": _ts(article.published),
                "first_seen_at": now,
                "blocked": article.blocked,
            },
        )
        found = conn.execute(select(articles.c.id).where(articles.c.url == url)).scalar_one()
        return int(found)

    def _insert_alert(
        self, conn: Connection, article_id: int, item: PlannedAlert, now: float
    ) -> int | None:
        alert = item.alert
        row = conn.execute(
            self._insert_ignore(alerts).returning(alerts.c.id),
            {
                "article_id": article_id,
                "topic_id": alert.topic_id,
                "topic_name": alert.topic_name,
                "score": item.score,
                "reason": alert.reason,
                "snippet": alert.snippet,
                "marks": json.dumps([list(m) for m in alert.marks]),
                "created_at": now,
            },
        ).first()
        return int(row[0]) if row is not None else None

    def alerted_topics(self, url: str) -> set[str]:
        with self._tx() as conn:
            rows = conn.execute(
                select(alerts.c.topic_id)
                .join(articles, alerts.c.article_id == articles.c.id)
                .where(articles.c.url == url)
            )
            return {row[0] for row in rows}

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
            for table in (subscribers, subscriptions, deliveries):
                conn.execute(
                    update(table).where(table.c.chat_id == old_chat_id).values(chat_id=new_chat_id)
                )

    # -- outbox ----------------------------------------------------------------------------

    def requeue_interrupted(self) -> int:
        """After a crash, deliveries left in ``sending`` go back to ``pending`` (at-least-once)."""
        with self._tx() as conn:
            result = conn.execute(
                update(deliveries).where(deliveries.c.state == "sending").values(state="pending")
            )
            return int(result.rowcount or 0)

    def claim_due(self, now: float, limit: int = 100) -> list[Delivery]:
        """Mark up to ``limit`` due pending deliveries ``sending``; return them, oldest first."""
        d, a, ar = deliveries.c, alerts.c, articles.c
        with self._tx() as conn:
            rows = (
                conn.execute(
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
                    .where(d.state == "pending", d.next_attempt_at <= now)
                    .order_by(d.next_attempt_at, d.id)
                    .limit(limit)
                )
                .mappings()
                .all()
            )
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

    # -- settings --------------------------------------------------------------------------

    def get_setting(self, key: str) -> str | None:
        with self._tx() as conn:
            found = conn.execute(select(settings.c.value).where(settings.c.key == key)).first()
            return str(found[0]) if found else None

    def set_setting(self, key: str, value: str) -> None:
        with self._tx() as conn:
            conn.execute(self._insert_ignore(settings), {"key": key, "value": value})
            conn.execute(update(settings).where(settings.c.key == key).values(value=value))


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
            published=_dt(row["published_at"]),
            reason=row["reason"],
            snippet=row["snippet"],
            marks=tuple(tuple(m) for m in json.loads(row["marks"])),  # type: ignore[misc]
        ),
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
