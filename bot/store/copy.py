"""``newsbot db copy``: move an installation from one database to another (SQLite → PostgreSQL).

Every table is copied row for row in foreign-key order, ids included, so the outbox still points
at its alerts and articles; PostgreSQL's id sequences then continue after the copied ids. Both
databases are locked as a running bot locks them, so the copy cannot race a bot that is still
sending, and the target must be empty, so nothing is merged by accident. A delivery the old bot
left ``sending`` (it was stopped mid-send) is copied as ``pending``: the new one sends it again,
as a restart would (at-least-once, see the README); none is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select, text, update
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import StorageError
from bot.store import Store
from bot.store.base import reason
from bot.store.schema import deliveries, metadata, settings

_BATCH = 2000
_NOT_COPIED = {"instance", "opened_at"}  # who holds the old database; written anew by the new one


@dataclass(slots=True)
class CopyReport:
    """Rows copied per table, and the deliveries that were in flight (now pending)."""

    rows: dict[str, int] = field(default_factory=dict)
    requeued: int = 0

    def summary(self) -> str:
        counts = ", ".join(f"{table} {n}" for table, n in self.rows.items() if n)
        line = f"copied {sum(self.rows.values())} rows ({counts or 'an empty database'})"
        if self.requeued:
            line += f"; {self.requeued} deliveries that were being sent are pending again"
        return line


def copy_database(source_url: str, target_url: str) -> CopyReport:
    """Copy everything in ``source_url`` into the empty database at ``target_url``."""
    _must_exist(source_url)
    source, target = Store(source_url), None
    try:
        source.lock_instance()
        target = Store(target_url)
        target.lock_instance()
        report = CopyReport()
        with source.engine.connect() as reading, target.engine.begin() as writing:
            _refuse_unless_empty(writing, target)
            for table in metadata.sorted_tables:
                report.rows[table.name] = _copy_table(table, reading, writing)
            report.requeued = _requeue(writing)
            if target.dialect == "postgresql":
                _continue_sequences(writing)
        return report
    except SQLAlchemyError as exc:
        raise StorageError(f"copy failed, nothing was written: {reason(exc)}") from None
    finally:
        source.close()
        if target is not None:
            target.close()


def _must_exist(url: str) -> None:
    """Copying from a SQLite file that is not there would make an empty one and copy nothing."""
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise StorageError(f"invalid database URL: {exc}") from exc
    database = parsed.database
    if parsed.get_backend_name() == "sqlite" and not (database and Path(database).is_file()):
        raise StorageError(f"no database to copy at {url}")


def _refuse_unless_empty(conn: Connection, target: Store) -> None:
    for table in metadata.sorted_tables:
        query = select(func.count()).select_from(table)
        if table is settings:
            query = query.where(settings.c.key.not_in(_NOT_COPIED))
        if conn.execute(query).scalar():
            shown = target.url.render_as_string(hide_password=True)
            raise StorageError(
                f"{shown} is not empty (table {table.name} has rows): copy into a new database"
            )


def _copy_table(table: Any, reading: Connection, writing: Connection) -> int:
    query = select(table)
    if table is settings:
        query = query.where(settings.c.key.not_in(_NOT_COPIED))
    copied = 0
    rows = reading.execute(query.order_by(*table.primary_key.columns))
    while batch := rows.fetchmany(_BATCH):
        writing.execute(table.insert(), [row._asdict() for row in batch])
        copied += len(batch)
    return copied


def _requeue(conn: Connection) -> int:
    result = conn.execute(
        update(deliveries).where(deliveries.c.state == "sending").values(state="pending")
    )
    return int(result.rowcount or 0)


def _continue_sequences(conn: Connection) -> None:
    """New rows get ids after the copied ones (an explicit id does not move a sequence)."""
    for table in metadata.sorted_tables:
        column = table.c.get("id")
        if column is None or not column.autoincrement:
            continue
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'),"
                f" COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
            )
        )
