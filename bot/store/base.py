"""The database connection shared by every part of the store: engine, dialect, transactions."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine.url import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import StorageError
from bot.store.schema import metadata, settings


def ts(value: datetime | None) -> float | None:
    return value.timestamp() if value else None


def dt(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None


class StoreBase:
    """The engine (SQLite by default, PostgreSQL by URL), transactions and settings.

    Every database failure leaves the store as a one-line ``StorageError``: a folder that
    cannot be made, a driver that is not installed, a file that is read-only, full or corrupt.
    """

    def __init__(self, url: str) -> None:
        try:
            parsed = make_url(url)
        except Exception as exc:
            raise StorageError(f"invalid database URL: {exc}") from exc
        parsed = with_psycopg(parsed)
        self.dialect = parsed.get_backend_name()
        self.url = parsed
        self.path: Path | None = None
        if self.dialect == "sqlite" and parsed.database not in (None, "", ":memory:"):
            self.path = Path(parsed.database)
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(
                    f"cannot create the database folder {self.path.parent}: {exc.strerror or exc}"
                ) from None
        shown = parsed.render_as_string(hide_password=True)
        try:
            self.engine: Engine = create_engine(parsed, future=True)
        except ImportError as exc:
            raise StorageError(_missing_driver(parsed.drivername, exc)) from None
        except (SQLAlchemyError, ValueError) as exc:
            raise StorageError(f"cannot open database {shown}: {reason(exc)}") from None
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        try:
            metadata.create_all(self.engine)
        except SQLAlchemyError as exc:
            hint = _read_only_hint(self.path)
            raise StorageError(f"cannot open database {shown}: {reason(exc)}{hint}") from None

    def close(self) -> None:
        self.engine.dispose()

    # -- helpers -------------------------------------------------------------------------

    def _insert_ignore(self, table: Any) -> Any:
        # preserve_rowcount: callers read how many rows went in ("was it new?"); psycopg's
        # cursor is closed after an INSERT without RETURNING and would answer -1 otherwise.
        statement = self._insert(table).on_conflict_do_nothing()
        return statement.execution_options(preserve_rowcount=True)

    def _insert(self, table: Any) -> Any:
        """The dialect's INSERT, the one that has ``on_conflict_do_nothing``/``_do_update``."""
        if self.dialect == "postgresql":
            # Imported here: loading the PostgreSQL dialect costs a SQLite store ~50 ms at start.
            from sqlalchemy.dialects import postgresql

            return postgresql.insert(table)
        return sqlite.insert(table)

    def _upsert(self, table: Any, key: str, columns: Sequence[str]) -> Any:
        """INSERT of one row that replaces ``columns`` of the row already under ``key``: one
        statement where an insert-or-ignore and an update took two. Built once by the caller
        and reused, so no call pays for building it again."""
        statement = self._insert(table)
        return statement.on_conflict_do_update(
            index_elements=[table.c[key]],
            set_={name: statement.excluded[name] for name in columns},
        )

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        """One transaction; a database failure in it becomes a one-line ``StorageError``."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StorageError(reason(exc)) from exc

    # -- settings --------------------------------------------------------------------------

    def get_setting(self, key: str) -> str | None:
        with self._tx() as conn:
            found = conn.execute(select(settings.c.value).where(settings.c.key == key)).first()
            return str(found[0]) if found else None

    def set_setting(self, key: str, value: str) -> None:
        with self._tx() as conn:
            conn.execute(self._insert_ignore(settings), {"key": key, "value": value})
            conn.execute(update(settings).where(settings.c.key == key).values(value=value))


def with_psycopg(url: URL) -> URL:
    """``postgresql://`` (or ``postgres://``) means psycopg 3, not SQLAlchemy's psycopg2."""
    if url.drivername in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg")
    return url


def reason(exc: BaseException) -> str:
    """The database's own words for a failure, on one line (no SQL, no link to the docs)."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def _read_only_hint(path: Path | None) -> str:
    """Why SQLite may not open a file: it, or its folder (for the journal), is read-only."""
    if path is None:
        return ""
    for place in (path, path.parent):
        if place.exists() and not os.access(place, os.W_OK):
            return f" ({place} is read-only)"
    return ""


_DRIVER_PACKAGES = {"psycopg": "psycopg[binary]", "psycopg2": "psycopg2-binary"}


def _missing_driver(drivername: str, exc: ImportError) -> str:
    module = (exc.name or "").split(".")[0]
    if not module:
        return f"the {drivername} database driver cannot be loaded: {exc}"
    package = _DRIVER_PACKAGES.get(module, module)
    return f"{drivername} needs the {module} package (not installed): pip install '{package}'"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
