"""One running bot per database: an exclusive lock that names its holder and dies with it.

Two ``newsbot run`` on one database would deliver twice (each one's start-up requeue takes the
other's sends in flight), so the bot takes this lock before it touches the outbox. For SQLite
it is an OS lock (``flock``) on ``<database>.lock``; for PostgreSQL a session advisory lock.
Both vanish with the process that holds them, even after ``kill -9``: a stale lock cannot
block a restart. The holder's PID, host and start time are written down so the refusal can
say who holds it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import DatabaseInUse, StorageError

_PG_LOCK_KEY = 7_244_512_861  # an arbitrary constant: "newsbot" in this database
INSTANCE_LOCK_KEY = _PG_LOCK_KEY
"""Workers hold this key shared (``bot.store.postgres.RoleLock``): a ``run`` is refused then."""
_OWNER_KEY = "instance"


def describe_self() -> str:
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"PID {os.getpid()} on {socket.gethostname()}, since {started}"


class InstanceLock:
    """Held from :meth:`acquire` to :meth:`release`; ``DatabaseInUse`` when another has it."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self._fd: int | None = None
        self._conn: Any = None

    def acquire(self) -> None:
        if self.store.dialect == "sqlite":
            if self.store.path is not None:
                self._flock(Path(f"{self.store.path}.lock"))
        elif self.store.dialect == "postgresql":
            self._advisory()

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None
        if self._conn is not None:
            with contextlib.suppress(SQLAlchemyError):
                self._conn.close()  # ends the session, which drops the advisory lock
            self._conn = None

    def _flock(self, path: Path) -> None:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StorageError(f"cannot create the lock file {path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 500, 0).decode("utf-8", "replace").strip() or "unknown"
            os.close(fd)
            raise DatabaseInUse(_refusal(holder, str(self.store.path))) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, (describe_self() + "\n").encode(), 0)
        self._fd = fd

    def _advisory(self) -> None:
        try:
            conn = self.store.engine.connect()
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _PG_LOCK_KEY})
            if not got.scalar():
                conn.close()
                holder = self.store.get_setting(_OWNER_KEY) or "unknown"
                shown = self.store.url.render_as_string(hide_password=True)
                raise DatabaseInUse(_refusal(holder, shown))
            conn.commit()
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot lock the database: {exc}") from None
        self._conn = conn
        self.store.set_setting(_OWNER_KEY, describe_self())


def _refusal(holder: str, where: str) -> str:
    return (
        f"another newsbot is already running on {where} ({holder}); one bot per database:"
        " stop it first (a `run --once` from cron is not needed while it runs)"
    )
