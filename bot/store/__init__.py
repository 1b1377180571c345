"""Storage: source health, seen items, articles, alerts, subscribers and the delivery outbox.

``Store`` is one database; its parts live in modules by subject (``sources``, ``chats``).
"""

from bot.store.chats import ChatRecords
from bot.store.sources import SourceRecords, SourceStatus


class Store(SourceRecords, ChatRecords):
    """newsbot's database, SQLite by default, PostgreSQL by URL."""


__all__ = ["SourceStatus", "Store"]
