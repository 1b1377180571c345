"""What the web workbench reads and changes in the store: kept article texts, per-day item
counts, failed deliveries and their retry, and a reachability probe for ``/healthz``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, func, insert, select, text, update

from bot.delivery.plan import ArticlePlan
from bot.errors import StorageError
from bot.model import Article, Removed
from bot.store.base import StoreBase, dt, ts
from bot.store.schema import alerts, article_texts, articles, deliveries, seen_items

DAY_S = 86400.0


@dataclass(frozen=True, slots=True)
class KeptArticle:
    """A recent article as it was cleaned, and the topics that matched it then."""

    id: int
    source_id: str
    seen_at: float
    article: Article
    matched: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FailedDelivery:
    """A delivery that failed for good: to which chat, what alert, and why."""

    id: int
    chat_id: int
    topic_id: str
    title: str
    url: str
    attempts: int
    reason: str


# Built once: every source run that read articles keeps their texts through these.
_DROP_TEXTS = delete(article_texts).where(article_texts.c.seen_at < bindparam("before"))
_KEEP_TEXT = insert(article_texts)


def keep_article_text(
    db: StoreBase,
    *,
    source_id: str,
    article: Article,
    matched: Iterable[str],
    now: float,
    keep_s: float,
) -> None:
    """Keep ``article``'s cleaned text for the workbench; drop texts older than ``keep_s``."""
    keep_article_texts(db, keep_s, source_id, [(article, tuple(matched))], now)


def keep_article_texts(
    db: StoreBase,
    keep_s: float,
    source_id: str,
    articles_matched: Iterable[tuple[Article, Iterable[str]]],
    now: float,
) -> None:
    """Keep a run's articles (each with the topic ids that matched it) in one transaction;
    drop texts older than ``keep_s``."""
    rows = [_row(source_id, article, matched, now) for article, matched in articles_matched]
    with db._tx() as conn:
        conn.execute(_DROP_TEXTS, {"before": now - keep_s})
        if keep_s > 0 and rows:
            conn.execute(_KEEP_TEXT, rows)


def text_keeper(
    db: StoreBase, keep_s: Callable[[], float]
) -> Callable[[str, Sequence[ArticlePlan], float], None]:
    """What the service calls after a run (``Deps.keep_texts``): keep its articles' texts for
    ``keep_s()`` seconds (read at each run: a reload may change it)."""

    def keep(source_id: str, plans: Sequence[ArticlePlan], now: float) -> None:
        matched = [(p.article, [m.topic_id for m in p.matches]) for p in plans]
        keep_article_texts(db, keep_s(), source_id, matched, now)

    return keep


def _row(source_id: str, article: Article, matched: Iterable[str], now: float) -> dict[str, object]:
    return {
        "url": article.url or "",
        "source_id": source_id,
        "title": article.title,
        "author": article.author,
        "language": article.language,
        "published_at": ts(article.published),
        "blocked": article.blocked,
        "text": article.text,
        "removed": json.dumps([[r.kind, r.text] for r in article.removed], ensure_ascii=False),
        "matched": json.dumps(sorted(set(matched))),
        "seen_at": now,
    }


def kept_articles(db: StoreBase, *, since: float, limit: int = 500) -> list[KeptArticle]:
    """Kept articles seen since ``since``, newest first."""
    t = article_texts.c
    with db._tx() as conn:
        rows = conn.execute(
            select(article_texts).where(t.seen_at >= since).order_by(t.id.desc()).limit(limit)
        ).mappings()
        return [_kept(row) for row in rows]


def kept_article(db: StoreBase, kept_id: int) -> KeptArticle | None:
    with db._tx() as conn:
        row = (
            conn.execute(select(article_texts).where(article_texts.c.id == kept_id))
            .mappings()
            .first()
        )
        return _kept(row) if row is not None else None


def _kept(row: object) -> KeptArticle:
    r = dict(row)  # type: ignore[call-overload]
    return KeptArticle(
        id=int(r["id"]),
        source_id=str(r["source_id"]),
        seen_at=float(r["seen_at"]),
        article=Article(
            url=r["url"] or None,
            title=r["title"],
            author=r["author"],
            published=dt(r["published_at"]),
            language=r["language"],
            text=r["text"],
            blocked=bool(r["blocked"]),
            removed=tuple(Removed(kind, piece) for kind, piece in json.loads(r["removed"])),
        ),
        matched=tuple(json.loads(r["matched"])),
    )


def items_by_day(db: StoreBase, source_id: str, *, now: float, days: int = 7) -> list[int]:
    """New items of a source per day, oldest first; the last entry is the 24 h up to ``now``."""
    start = now - days * DAY_S
    with db._tx() as conn:
        stamps = conn.execute(
            select(seen_items.c.first_seen_at).where(
                seen_items.c.source_id == source_id, seen_items.c.first_seen_at >= start
            )
        ).scalars()
        counts = [0] * days
        for stamp in stamps:
            counts[min(days - 1, int((float(stamp) - start) // DAY_S))] += 1
    return counts


def failed_deliveries(db: StoreBase, limit: int = 50) -> list[FailedDelivery]:
    """The latest failed deliveries with their alert and reason, newest first."""
    d, a, art = deliveries.c, alerts.c, articles.c
    query = (
        select(d.id, d.chat_id, a.topic_id, art.title, art.url, d.attempts, d.last_error)
        .join(alerts, a.id == d.alert_id)
        .join(articles, art.id == a.article_id)
        .where(d.state == "failed")
        .order_by(d.id.desc())
        .limit(limit)
    )
    with db._tx() as conn:
        return [
            FailedDelivery(
                int(r[0]), int(r[1]), str(r[2]), str(r[3]), str(r[4]), int(r[5]), str(r[6] or "")
            )
            for r in conn.execute(query)
        ]


def retry_delivery(db: StoreBase, delivery_id: int, *, now: float) -> bool:
    """Put a failed delivery back in the outbox, due now, attempts reset; False if not failed."""
    d = deliveries.c
    with db._tx() as conn:
        done = conn.execute(
            update(deliveries)
            .where(d.id == delivery_id, d.state == "failed")
            .values(state="pending", attempts=0, next_attempt_at=now)
        )
        return bool(done.rowcount)


def probe(db: StoreBase) -> None:
    """Raise ``StorageError`` unless the database answers a query (an SQLite file must still
    exist: a deleted file keeps answering through open handles while nothing is persisted)."""
    if db.path is not None and not db.path.exists():
        raise StorageError(f"the database file {db.path} is gone")
    with db._tx() as conn:
        conn.execute(text("SELECT 1")).scalar_one()
        conn.execute(select(func.count()).select_from(article_texts).limit(1)).scalar_one()
