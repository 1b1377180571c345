"""Stories, their articles and the alerts they made: what a run reads to place its articles, and
how it writes them."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.engine import Connection

from bot.delivery.plan import ArticlePlan, StoryContext
from bot.model import Article, PlannedAlert
from bot.store.base import StoreBase, ts
from bot.store.schema import alerts, articles, deliveries, stories, story_bands
from bot.stories.dedupe import StoryRef
from bot.stories.fingerprint import BANDS, Fingerprint

_CANDIDATES_MOST = 200  # candidate copies read per article

# Built once: every article of every run reads through these (per-call statement building
# was a good part of the store's CPU per page).
_A = articles.c
_LATEST_OF_URL = (
    select(_A.story_id, _A.url, _A.source_id, _A.fingerprint)
    .where(_A.url == bindparam("url"), _A.story_id.is_not(None))
    .order_by(_A.id.desc())
    .limit(1)
)
_SHARING_A_BAND = (
    select(_A.story_id, _A.url, _A.source_id, _A.fingerprint)
    .where(
        _A.id.in_(
            select(story_bands.c.article_id).where(
                # One parameter per band (a fingerprint has BANDS of them): an expanding
                # parameter had SQLAlchemy rewrite the statement at every execution.
                story_bands.c.band.in_([bindparam(f"band{i}") for i in range(BANDS)]),
                story_bands.c.seen_at >= bindparam("since"),
            )
        ),
        _A.url != bindparam("url"),
        _A.story_id.is_not(None),
    )
    .limit(_CANDIDATES_MOST)
)
_ALERTED_TOPICS = (
    select(_A.story_id, alerts.c.topic_id)
    .join(articles, alerts.c.article_id == _A.id)
    .where(_A.story_id.in_(bindparam("story_ids", expanding=True)))
)
_BAND_PARAMS = tuple(f"band{i}" for i in range(BANDS))
_NEW_STORY = stories.insert().returning(stories.c.id)


class StoryRecords:
    """The stories seen so far, each with its articles and their alerts."""

    def __init__(self, db: StoreBase) -> None:
        self.db = db
        # An article already stored in its story keeps its row (and gets the new fingerprint,
        # if any): one statement that answers the row's id either way.
        put = db._insert(articles)
        self._put_article = put.on_conflict_do_update(
            index_elements=[_A.url, _A.story_id],
            set_={"fingerprint": func.coalesce(put.excluded.fingerprint, _A.fingerprint)},
        ).returning(_A.id)
        self._put_bands = db._insert_ignore(story_bands)
        self._put_alert = db._insert_ignore(alerts).returning(alerts.c.id)
        self._put_delivery = db._insert_ignore(deliveries).returning(deliveries.c.id)

    def story_contexts(
        self, wanted: Sequence[tuple[str, Fingerprint | None]], *, since: float
    ) -> list[StoryContext]:
        with self.db._tx() as conn:
            found = [_around(conn, url, fingerprint, since) for url, fingerprint in wanted]
            story_ids = {r.story_id for same, near in found for r in (*near, same) if r}
            alerted = _alerted_topics(conn, story_ids)
        out = []
        for same_url, candidates in found:
            ids = {r.story_id for r in (*candidates, same_url) if r} & alerted.keys()
            out.append(StoryContext(same_url, tuple(candidates), {i: alerted[i] for i in ids}))
        return out

    def also_reported_by(self, story_id: int) -> list[tuple[str, str]]:
        with self.db._tx() as conn:
            rows = conn.execute(
                select(articles.c.source_id, articles.c.url)
                .where(articles.c.story_id == story_id)
                .order_by(articles.c.first_seen_at, articles.c.id)
            )
            return [(row[0], row[1]) for row in rows]

    # -- writing a run's articles (inside the run's transaction) ---------------------------

    def write_articles(
        self, conn: Connection, source_id: str, now: float, plans: Sequence[ArticlePlan]
    ) -> list[int]:
        """Store each planned article in its story, with its alerts; return the new deliveries.

        A story the run created (provisional id below zero) is inserted at its first article.
        """
        created: dict[int, int] = {}
        new_deliveries: list[int] = []
        for plan in plans:
            story_id = plan.story_id
            if story_id < 0:
                if story_id not in created:
                    created[story_id] = _new_story(conn, plan.article, now)
                story_id = created[story_id]
            article_id = self._write_article(conn, source_id, now, plan, story_id)
            new_deliveries += self._write_alerts(conn, article_id, plan.planned, now)
        return new_deliveries

    def _write_article(
        self, conn: Connection, source_id: str, now: float, plan: ArticlePlan, story_id: int
    ) -> int:
        article, fingerprint = plan.article, plan.fingerprint
        url = article.url or ""
        article_id = int(
            conn.execute(
                self._put_article,
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
            ).scalar_one()
        )
        if fingerprint is not None:
            conn.execute(
                self._put_bands,
                [
                    {"band": b, "article_id": article_id, "seen_at": now}
                    for b in fingerprint.bands()
                ],
            )
        return article_id

    def _write_alerts(
        self, conn: Connection, article_id: int, planned: Sequence[PlannedAlert], now: float
    ) -> list[int]:
        new_deliveries: list[int] = []
        for item in planned:
            alert_id = self._write_alert(conn, article_id, item, now)
            if alert_id is None:
                continue
            for chat_id in dict.fromkeys(item.recipients):
                row = conn.execute(
                    self._put_delivery,
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

    def _write_alert(
        self, conn: Connection, article_id: int, item: PlannedAlert, now: float
    ) -> int | None:
        alert = item.alert
        row = conn.execute(
            self._put_alert,
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


def _around(
    conn: Connection, url: str, fingerprint: Fingerprint | None, since: float
) -> tuple[StoryRef | None, list[StoryRef]]:
    """The latest stored version of ``url``, and articles seen since ``since`` whose
    fingerprints share a band with ``fingerprint`` (candidate copies)."""
    row = conn.execute(_LATEST_OF_URL, {"url": url}).first()
    same_url = _ref(row) if row is not None else None
    if fingerprint is None:
        return same_url, []
    bands = dict(zip(_BAND_PARAMS, fingerprint.bands(), strict=True))
    rows = conn.execute(_SHARING_A_BAND, {**bands, "since": since, "url": url})
    return same_url, [_ref(r) for r in rows]


def _alerted_topics(conn: Connection, story_ids: Collection[int]) -> dict[int, frozenset[str]]:
    if not story_ids:
        return {}
    rows = conn.execute(_ALERTED_TOPICS, {"story_ids": list(story_ids)})
    found: dict[int, set[str]] = {}
    for story_id, topic_id in rows:
        found.setdefault(int(story_id), set()).add(topic_id)
    return {story_id: frozenset(topics) for story_id, topics in found.items()}


def _new_story(conn: Connection, article: Article, now: float) -> int:
    return int(
        conn.execute(
            _NEW_STORY,
            {"first_seen_at": now, "title": article.title},
        ).scalar_one()
    )


def _ref(row: Any) -> StoryRef:
    fp = Fingerprint.from_text(row.fingerprint) if row.fingerprint else None
    return StoryRef(int(row.story_id), row.url, row.source_id, fp)
