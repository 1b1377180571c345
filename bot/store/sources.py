"""Source health, seen feed items, articles and alerts (with their first deliveries)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from bot.model import Article, PlannedAlert
from bot.store.base import StoreBase, ts
from bot.store.schema import alerts, articles, deliveries, seen_items, source_state


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


class SourceRecords(StoreBase):
    """What newsbot knows about its sources and the stories they produced."""

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
        return {row["source_id"]: SourceStatus(**dict(row)) for row in rows}

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
                "published_at": ts(article.published),
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
