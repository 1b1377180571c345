"""The database connection shared by every part of the store: engine, dialect, transactions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import StorageError
from bot.store.schema import metadata, settings


def ts(value: datetime | None) -> float | None:
    return value.timestamp() if value else None


def dt(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None


class StoreBase:
    """The engine (SQLite by default, PostgreSQL by URL), transactions and settings."""

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

    # -- settings --------------------------------------------------------------------------

    def get_setting(self, key: str) -> str | None:
        with self._tx() as conn:
            found = conn.execute(select(settings.c.value).where(settings.c.key == key)).first()
            return str(found[0]) if found else None

    def set_setting(self, key: str, value: str) -> None:
        with self._tx() as conn:
            conn.execute(self._insert_ignore(settings), {"key": key, "value": value})
            conn.execute(update(settings).where(settings.c.key == key).values(value=value))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
