"""Storage: source health, seen items, articles, alerts, subscribers and the delivery outbox.

``Store`` is one database; its parts live in modules by subject (``sources``, ``chats``).
"""

import time

from sqlalchemy.exc import SQLAlchemyError

from bot.errors import StorageError
from bot.store.base import reason
from bot.store.chats import ChatRecords
from bot.store.instance import InstanceLock
from bot.store.sources import SourceRecords, SourceStatus


class Store(SourceRecords, ChatRecords):
    """newsbot's database, SQLite by default, PostgreSQL by URL."""

    def __init__(self, url: str) -> None:
        try:
            super().__init__(url)
        except SQLAlchemyError as exc:  # the schema upgrades read the tables outside _tx
            raise StorageError(f"cannot open database: {reason(exc)}") from None
        self._lock = InstanceLock(self)

    def lock_instance(self) -> None:
        """Make this the one running bot on the database; ``DatabaseInUse`` if another is."""
        self._lock.acquire()

    def check_writable(self) -> None:
        """Write once, so a read-only or full database stops the bot at start, in one line."""
        self.set_setting("opened_at", str(time.time()))

    def close(self) -> None:
        self._lock.release()
        super().close()


__all__ = ["SourceStatus", "Store"]
