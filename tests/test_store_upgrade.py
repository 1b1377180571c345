"""A database made before stories existed (one article row per URL) is upgraded in place."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    inspect,
    select,
)

from bot.delivery.plan import ArticlePlan, SourceRun
from bot.model import Article
from bot.sources.health import SourceHealth
from bot.store import Store
from bot.store.schema import articles
from bot.stories.dedupe import Placement

# The articles table as the first releases created it.
_old = MetaData()
_old_articles = Table(
    "articles",
    _old,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", String(2048), nullable=False, unique=True),
    Column("source_id", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("language", String(16)),
    Column("published_at", Float),
    Column("first_seen_at", Float, nullable=False),
    Column("blocked", Boolean, nullable=False, default=False),
)
URL = "https://news.example/2026/11/summit"


def _old_database(path: Path) -> str:
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    _old.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            _old_articles.insert(),
            {
                "url": URL,
                "source_id": "wire",
                "title": "Old",
                "first_seen_at": 1.0,
                "blocked": False,
            },
        )
    engine.dispose()
    return url


def _article(title: str) -> Article:
    return Article(URL, title, None, None, "en", "text of " + title)


def test_an_old_database_keeps_its_rows_and_takes_a_rewrite_at_the_same_url(tmp_path: Path) -> None:
    """The one-row-per-URL constraint goes, old rows stay, a rewrite is a second story."""
    url = _old_database(tmp_path / "old.db")
    store = Store(url)
    try:
        unique = inspect(store.engine).get_unique_constraints("articles")
        assert not any(u["column_names"] == ["url"] for u in unique)
        assert any(u["column_names"] == ["url", "story_id"] for u in unique)
        assert "ix_articles_url" in {
            i["name"] for i in inspect(store.engine).get_indexes("articles")
        }
        with store.engine.begin() as conn:
            assert conn.execute(select(articles.c.title).where(articles.c.url == URL)).all() == [
                ("Old",)
            ]
        for now, title in ((2.0, "First version"), (3.0, "Rewritten story")):
            plan = ArticlePlan(_article(title), None, Placement("development"), story_id=-1)
            store.record_run(SourceRun("wire", now, SourceHealth("wire"), articles=(plan,)))
        with store.engine.begin() as conn:
            rows = conn.execute(
                select(articles.c.title, articles.c.story_id)
                .where(articles.c.url == URL)
                .order_by(articles.c.id)
            ).all()
        assert [title for title, _ in rows] == ["Old", "First version", "Rewritten story"]
        assert rows[1].story_id != rows[2].story_id
    finally:
        store.close()
    # Opening it again finds nothing left to upgrade.
    Store(url).close()
