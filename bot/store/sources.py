"""Source health, seen items, fetch validators, stories, articles and alerts."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, inspect, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateTable

from bot.errors import StorageError
from bot.model import Article, PlannedAlert, Validators
from bot.sources.health import HealthPolicy, RunResult, SourceHealth, assess
from bot.store.base import StoreBase, ts
from bot.store.schema import (
    alerts,
    articles,
    deliveries,
    fetch_cache,
    seen_items,
    source_state,
    stories,
    story_bands,
)
from bot.stories.dedupe import Placement, StoryRef
from bot.stories.fingerprint import Fingerprint

SourceStatus = SourceHealth
"""What the database knows about one source's health (the name older callers use)."""

_ADDED_COLUMNS = {
    "source_state": {
        "first_run_at": "FLOAT",
        "last_new_at": "FLOAT",
        "next_check_at": "FLOAT",
        "walled_runs": "INTEGER NOT NULL DEFAULT 0",
        "reported": "VARCHAR(16) NOT NULL DEFAULT 'ok'",
    },
    "articles": {"story_id": "INTEGER", "fingerprint": "TEXT"},
}
_HEALTH_FIELDS = (
    "status",
    "first_run_at",
    "last_run_at",
    "last_success_at",
    "last_error",
    "last_error_at",
    "consecutive_failures",
    "blocked_count",
    "walled_runs",
    "items_found",
    "last_new_at",
    "next_check_at",
    "reported",
)


class SourceRecords(StoreBase):
    """What newsbot knows about its sources and the stories they produced."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self._add_missing_columns()
        self._allow_rewrites_at_one_url()

    def _add_missing_columns(self) -> None:
        """Databases made before a column existed get it (new tables are made by create_all)."""
        inspector = inspect(self.engine)
        with self._tx() as conn:
            for table, columns in _ADDED_COLUMNS.items():
                have = {c["name"] for c in inspector.get_columns(table)}
                for name, ddl in columns.items():
                    if name not in have:
                        conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {ddl}"))

    def _allow_rewrites_at_one_url(self) -> None:
        """Databases made before stories existed allow one article row per URL (``UNIQUE (url)``);
        now a rewrite at the same URL is a new story, unique per (url, story). Their rows are kept.

        SQLite cannot drop a constraint, so the table is rebuilt the way its documentation
        prescribes: create the new table, copy the rows, drop the old one, rename.
        """
        inspector = inspect(self.engine)
        unique = inspector.get_unique_constraints("articles")
        if not any(u["column_names"] == ["url"] for u in unique):
            return
        if self.dialect != "sqlite":
            raise StorageError(
                "the articles table still has the old one-row-per-URL constraint; drop it"
                " (ALTER TABLE articles DROP CONSTRAINT ...) and start again"
            )
        columns = [c["name"] for c in inspector.get_columns("articles")]
        names = ", ".join(c for c in columns if c in articles.c)
        ddl = str(CreateTable(articles).compile(self.engine))
        with self._tx() as conn:
            conn.execute(text(ddl.replace("TABLE articles", "TABLE articles_rebuilt", 1)))
            conn.execute(
                text(f"INSERT INTO articles_rebuilt ({names}) SELECT {names} FROM articles")
            )
            conn.execute(text("DROP TABLE articles"))
            conn.execute(text("ALTER TABLE articles_rebuilt RENAME TO articles"))
            for index in articles.indexes:
                index.create(conn, checkfirst=True)

    # -- seen items ------------------------------------------------------------------------

    def unseen_items(self, source_id: str, keys: Sequence[str]) -> list[str]:
        """The keys (item URLs or ids) this source has not recorded yet, in the given order."""
        if not keys:
            return []
        wanted = list(dict.fromkeys(keys))
        seen: set[str] = set()
        with self._tx() as conn:
            for start in range(0, len(wanted), 500):
                rows = conn.execute(
                    select(seen_items.c.item_key).where(
                        seen_items.c.source_id == source_id,
                        seen_items.c.item_key.in_(wanted[start : start + 500]),
                    )
                )
                seen.update(row[0] for row in rows)
        return [key for key in wanted if key not in seen]

    def mark_seen(self, conn: Connection, source_id: str, keys: Iterable[str], now: float) -> None:
        rows = [{"source_id": source_id, "item_key": k, "first_seen_at": now} for k in keys]
        if rows:
            conn.execute(self._insert_ignore(seen_items), rows)

    def items_per_day(self, source_id: str, *, now: float, days: float = 7.0) -> float:
        """New items recorded per day over the last ``days`` days."""
        with self._tx() as conn:
            count = conn.execute(
                select(func.count()).where(
                    seen_items.c.source_id == source_id,
                    seen_items.c.first_seen_at >= now - days * 86400,
                )
            ).scalar_one()
        return int(count) / days

    # -- fetch validators ------------------------------------------------------------------

    def fetch_validators(self, url: str) -> Validators | None:
        with self._tx() as conn:
            row = conn.execute(select(fetch_cache).where(fetch_cache.c.url == url)).first()
        if row is None:
            return None
        return Validators(row.etag, row.last_modified, row.content_hash)

    def _remember(self, conn: Connection, url: str, validators: Validators, now: float) -> None:
        values = {
            "etag": validators.etag,
            "last_modified": validators.last_modified,
            "content_hash": validators.content_hash,
            "updated_at": now,
        }
        conn.execute(self._insert_ignore(fetch_cache), {"url": url, **values})
        conn.execute(update(fetch_cache).where(fetch_cache.c.url == url).values(**values))

    # -- health ----------------------------------------------------------------------------

    def source_health(self, source_id: str) -> SourceHealth:
        with self._tx() as conn:
            row = (
                conn.execute(select(source_state).where(source_state.c.source_id == source_id))
                .mappings()
                .first()
            )
        return _health(row) if row is not None else SourceHealth(source_id)

    def source_statuses(self) -> dict[str, SourceHealth]:
        with self._tx() as conn:
            rows = conn.execute(select(source_state)).mappings().all()
        return {row["source_id"]: _health(row) for row in rows}

    def _save_health(self, conn: Connection, health: SourceHealth) -> None:
        conn.execute(
            self._insert_ignore(source_state),
            {
                "source_id": health.source_id,
                "consecutive_failures": 0,
                "blocked_count": 0,
                "status": "new",
                "items_found": 0,
                "walled_runs": 0,
                "reported": "ok",
            },
        )
        values = {name: getattr(health, name) for name in _HEALTH_FIELDS}
        conn.execute(
            update(source_state).where(source_state.c.source_id == health.source_id).values(values)
        )

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
        result = RunResult(now=now, error=error, new_items=items_found, blocked=blocked)
        health, _ = assess(self.source_health(source_id), result, HealthPolicy(60.0), rand=0.5)
        with self._tx() as conn:
            self._save_health(conn, health)

    def record_run(
        self,
        source_id: str,
        *,
        now: float,
        health: SourceHealth,
        seen_keys: Sequence[str] = (),
        fetched: Sequence[tuple[str, Validators]] = (),
    ) -> None:
        """The end of one run: items seen, validators of watched URLs, the new health."""
        with self._tx() as conn:
            self.mark_seen(conn, source_id, seen_keys, now)
            for url, validators in fetched:
                self._remember(conn, url, validators, now)
            self._save_health(conn, health)

    # -- stories ---------------------------------------------------------------------------

    def story_context(
        self, url: str, fingerprint: Fingerprint | None, *, since: float
    ) -> tuple[StoryRef | None, list[StoryRef]]:
        """The latest stored version of ``url``, and articles seen since ``since`` whose
        fingerprints share a band with ``fingerprint`` (candidate copies)."""
        a = articles.c
        with self._tx() as conn:
            row = conn.execute(
                select(a.story_id, a.url, a.source_id, a.fingerprint)
                .where(a.url == url, a.story_id.is_not(None))
                .order_by(a.id.desc())
                .limit(1)
            ).first()
            same_url = _ref(row) if row is not None else None
            candidates: list[StoryRef] = []
            if fingerprint is not None:
                ids = select(story_bands.c.article_id).where(
                    story_bands.c.band.in_(fingerprint.bands()), story_bands.c.seen_at >= since
                )
                rows = conn.execute(
                    select(a.story_id, a.url, a.source_id, a.fingerprint)
                    .where(a.id.in_(ids), a.url != url, a.story_id.is_not(None))
                    .limit(200)
                )
                candidates = [_ref(r) for r in rows]
        return same_url, candidates

    def story_alerted_topics(self, story_id: int) -> set[str]:
        with self._tx() as conn:
            rows = conn.execute(
                select(alerts.c.topic_id)
                .join(articles, alerts.c.article_id == articles.c.id)
                .where(articles.c.story_id == story_id)
            )
            return {row[0] for row in rows}

    def also_reported_by(self, story_id: int) -> list[tuple[str, str]]:
        """(source id, URL) of every article of the story, first seen first."""
        with self._tx() as conn:
            rows = conn.execute(
                select(articles.c.source_id, articles.c.url)
                .where(articles.c.story_id == story_id)
                .order_by(articles.c.first_seen_at, articles.c.id)
            )
            return [(row[0], row[1]) for row in rows]

    def record_article(
        self,
        *,
        source_id: str,
        now: float,
        article: Article,
        fingerprint: Fingerprint | None,
        placement: Placement,
        planned: Sequence[PlannedAlert] = (),
    ) -> tuple[int, list[int]]:
        """Store one article in its story with its alerts; return (story id, new deliveries)."""
        with self._tx() as conn:
            return self._record_article(
                conn, source_id, now, article, fingerprint, placement, planned
            )

    def _record_article(
        self,
        conn: Connection,
        source_id: str,
        now: float,
        article: Article,
        fingerprint: Fingerprint | None,
        placement: Placement,
        planned: Sequence[PlannedAlert],
    ) -> tuple[int, list[int]]:
        story_id = placement.story_id
        if story_id is None:
            story_id = int(
                conn.execute(
                    stories.insert().returning(stories.c.id),
                    {"first_seen_at": now, "title": article.title},
                ).scalar_one()
            )
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
                "story_id": story_id,
                "fingerprint": fingerprint.to_text() if fingerprint else None,
            },
        )
        article_id = int(
            conn.execute(
                select(articles.c.id).where(articles.c.url == url, articles.c.story_id == story_id)
            ).scalar_one()
        )
        if fingerprint is not None:
            conn.execute(
                update(articles)
                .where(articles.c.id == article_id)
                .values(fingerprint=fingerprint.to_text())
            )
            conn.execute(
                self._insert_ignore(story_bands),
                [
                    {"band": b, "article_id": article_id, "seen_at": now}
                    for b in fingerprint.bands()
                ],
            )
        return story_id, self._insert_alerts(conn, article_id, planned, now)

    def _insert_alerts(
        self, conn: Connection, article_id: int, planned: Sequence[PlannedAlert], now: float
    ) -> list[int]:
        new_deliveries: list[int] = []
        for item in planned:
            alert_id = self._insert_alert(conn, article_id, item, now)
            if alert_id is None:
                continue
            for chat_id in dict.fromkeys(item.recipients):
                row = conn.execute(
                    self._insert_ignore(deliveries).returning(deliveries.c.id),
                    {
                        "alert_id": alert_id,
                        "chat_id": chat_id,
                        "state": "pending",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                    },
                ).first()
                if row is not None:
                    new_deliveries.append(int(row[0]))
        return new_deliveries

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

        Articles are placed by URL only (the latest story of that URL, else a new story); an
        alert already stored for (article, topic) is not created again.
        """
        new_deliveries: list[int] = []
        blocked = sum(1 for article, _ in articles_found if article.blocked)
        with self._tx() as conn:
            for article, planned in articles_found:
                story = conn.execute(
                    select(articles.c.story_id)
                    .where(articles.c.url == (article.url or ""), articles.c.story_id.is_not(None))
                    .order_by(articles.c.id.desc())
                    .limit(1)
                ).scalar()
                placement = Placement("same", int(story)) if story is not None else Placement("new")
                _, made = self._record_article(
                    conn, source_id, now, article, None, placement, planned
                )
                new_deliveries += made
            self.mark_seen(conn, source_id, seen_keys, now)
            error = "; ".join(errors) if errors and not articles_found else None
            result = RunResult(
                now=now,
                error=error,
                new_items=len(articles_found),
                pages=len(articles_found),
                blocked=blocked,
            )
            old = _health_in(conn, source_id)
            health, _ = assess(old, result, HealthPolicy(60.0), rand=0.5)
            self._save_health(conn, health)
        return new_deliveries

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


def _health(row: Any) -> SourceHealth:
    values = {name: row[name] for name in _HEALTH_FIELDS}
    values["walled_runs"] = values["walled_runs"] or 0
    values["reported"] = values["reported"] or "ok"
    return SourceHealth(source_id=row["source_id"], **values)


def _health_in(conn: Connection, source_id: str) -> SourceHealth:
    row = (
        conn.execute(select(source_state).where(source_state.c.source_id == source_id))
        .mappings()
        .first()
    )
    return _health(row) if row is not None else SourceHealth(source_id)


def _ref(row: Any) -> StoryRef:
    fp = Fingerprint.from_text(row.fingerprint) if row.fingerprint else None
    return StoryRef(int(row.story_id), row.url, row.source_id, fp)
