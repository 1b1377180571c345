"""Bring a database made by an earlier release up to the current schema, keeping its rows.

New tables are made by ``create_all``; what it cannot do is done here: columns added since a
table was first made, and the articles table's old one-row-per-URL constraint.
"""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.schema import CreateTable

from bot.errors import StorageError
from bot.store.base import StoreBase
from bot.store.schema import articles

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


def upgrade(db: StoreBase) -> None:
    """Add the missing columns, then allow rewrites at one URL."""
    _add_missing_columns(db)
    _allow_rewrites_at_one_url(db)


def _add_missing_columns(db: StoreBase) -> None:
    """Databases made before a column existed get it (new tables are made by create_all)."""
    inspector = inspect(db.engine)
    with db._tx() as conn:
        for table, columns in _ADDED_COLUMNS.items():
            have = {c["name"] for c in inspector.get_columns(table)}
            for name, ddl in columns.items():
                if name not in have:
                    conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {ddl}"))


def _allow_rewrites_at_one_url(db: StoreBase) -> None:
    """Databases made before stories existed allow one article row per URL (``UNIQUE (url)``);
    now a rewrite at the same URL is a new story, unique per (url, story). Their rows are kept.

    SQLite cannot drop a constraint, so the table is rebuilt the way its documentation
    prescribes: create the new table, copy the rows, drop the old one, rename.
    """
    inspector = inspect(db.engine)
    unique = inspector.get_unique_constraints("articles")
    if not any(u["column_names"] == ["url"] for u in unique):
        return
    if db.dialect != "sqlite":
        raise StorageError(
            "the articles table still has the old one-row-per-URL constraint; drop it"
            " (ALTER TABLE articles DROP CONSTRAINT ...) and start again"
        )
    columns = [c["name"] for c in inspector.get_columns("articles")]
    names = ", ".join(c for c in columns if c in articles.c)
    ddl = str(CreateTable(articles).compile(db.engine))
    with db._tx() as conn:
        conn.execute(text(ddl.replace("TABLE articles", "TABLE articles_rebuilt", 1)))
        conn.execute(text(f"INSERT INTO articles_rebuilt ({names}) SELECT {names} FROM articles"))
        conn.execute(text("DROP TABLE articles"))
        conn.execute(text("ALTER TABLE articles_rebuilt RENAME TO articles"))
        for index in articles.indexes:
            index.create(conn, checkfirst=True)
