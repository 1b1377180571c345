"""Storage: source health, seen items, articles, alerts, subscribers and the delivery outbox."""

from bot.store.store import SourceStatus, Store

__all__ = ["SourceStatus", "Store"]
