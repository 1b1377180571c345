"""What only the PostgreSQL deployment needs from the database: role locks held by one worker
at a time (the sender, the command poller), the job queue's schema installed once, and the
recent sends a new sender must pace against.

A role lock is a session advisory lock on its own connection: it is held while that connection
lives and released by PostgreSQL the moment the holding process dies (even ``kill -9``), which
is how another worker takes the role over.
"""

from __future__ import annotations

import contextlib
import zlib
from typing import Any

from sqlalchemy import Connection, select, text
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import StorageError
from bot.store.base import reason
from bot.store.schema import deliveries

_SCHEMA_LOCK = "newsbot:job-queue-schema"


def lock_key(name: str) -> int:
    """A stable 32-bit advisory lock key for a role name."""
    return zlib.crc32(f"newsbot:{name}".encode())


class RoleLock:
    """One named role (``sender``, ``poller``) held by at most one process on the database.

    ``shared=True`` takes the lock in shared mode, held by any number of processes at once:
    the workers hold the instance lock of ``bot.store.instance`` so, which keeps a
    ``newsbot run`` (exclusive) off a database workers use, and workers off one it runs on.
    """

    def __init__(
        self, store: Any, name: str, *, key: int | None = None, shared: bool = False
    ) -> None:
        self.store = store
        self.name = name
        self.key = lock_key(name) if key is None else key
        self.shared = shared
        self._conn: Connection | None = None

    @property
    def held(self) -> bool:
        """True while this process holds the role (its connection is checked to be alive)."""
        if self._conn is None:
            return False
        try:
            self._conn.execute(text("SELECT 1"))
            self._conn.commit()
        except SQLAlchemyError:
            self.release()  # the session is gone, and the lock with it
            return False
        return True

    def try_acquire(self) -> bool:
        """Take the role if nobody holds it; False (and no waiting) if someone does."""
        if self._conn is not None:
            return True
        try:
            conn = self.store.engine.connect()
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot take the {self.name} role: {reason(exc)}") from None
        try:
            function = "pg_try_advisory_lock_shared" if self.shared else "pg_try_advisory_lock"
            got = conn.execute(text(f"SELECT {function}(:k)"), {"k": self.key})
            taken = bool(got.scalar())
            conn.commit()
        except SQLAlchemyError as exc:
            conn.close()
            raise StorageError(f"cannot take the {self.name} role: {reason(exc)}") from None
        if not taken:
            conn.close()
            return False
        self._conn = conn
        return True

    def release(self) -> None:
        """Give the role up now (a dead process gives it up when PostgreSQL sees it gone)."""
        if self._conn is not None:
            with contextlib.suppress(SQLAlchemyError):
                self._conn.execute(text("SELECT pg_advisory_unlock_all()"))
                self._conn.commit()
            with contextlib.suppress(SQLAlchemyError):
                self._conn.invalidate()  # and drop the session: nothing of it is reused
                self._conn.close()
            self._conn = None


def install_once(store: Any, marker_table: str, sql: str) -> bool:
    """Run ``sql`` (a schema) unless ``marker_table`` exists; workers starting together install
    it once (a transaction-scoped advisory lock serialises them). True when it was installed."""
    try:
        with store.engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_key(_SCHEMA_LOCK)})
            found = conn.execute(text("SELECT to_regclass(:t)"), {"t": marker_table}).scalar()
            if found is not None:
                return False
            # the driver's own execute without parameters: the schema holds many statements
            # and literal '%' signs, which a parameterised execute would take for placeholders
            conn.connection.driver_connection.execute(sql)
            return True
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot install the job queue schema: {reason(exc)}") from None


def recent_sends(store: Any, since: float) -> list[tuple[int, float]]:
    """(chat, time) of every delivery recorded as sent at or after ``since``, oldest first."""
    query = (
        select(deliveries.c.chat_id, deliveries.c.sent_at)
        .where(deliveries.c.state == "sent", deliveries.c.sent_at >= since)
        .order_by(deliveries.c.sent_at)
    )
    try:
        with store.engine.connect() as conn:
            return [(int(chat), float(at)) for chat, at in conn.execute(query)]
    except SQLAlchemyError as exc:
        raise StorageError(reason(exc)) from None
