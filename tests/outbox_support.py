"""Filling the outbox for delivery tests, crash tests and the delivery benchmark."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.model import Alert, Article, PlannedAlert
from bot.store import Store
from tests.run_support import record_alerts

_ALERT_NO = re.compile(r"Story (\d+)-(\d+)\b")


def story_article(number: int, copy: int = 0) -> Article:
    """A small article whose title names it, so tests can read back what arrived."""
    return Article(
        url=f"https://news.example/story/{number}-{copy}",
        title=f"Story {number}-{copy} about the summit",
        author=None,
        published=datetime(2026, 11, 1, 12, 0, tzinfo=UTC),
        language="en",
        text="Leaders met at the summit. " * 5,
    )


def story_alert(article: Article, topic: str = "summit") -> Alert:
    return Alert(
        topic_id=topic,
        topic_name="Summit watch",
        url=article.url or "",
        title=article.title,
        source_id="wire",
        published=article.published,
        reason="matched summit (title)",
        snippet="Leaders met at the summit & talked <a lot>.",
        marks=((19, 25),),
    )


def seed(
    store: Store, chats: Sequence[int], alerts: int, *, now: float = 0.0, start: int = 0
) -> list[int]:
    """``alerts`` stories, each for every chat in ``chats``; returns the delivery ids in order."""
    found = []
    for number in range(start, start + alerts):
        article = story_article(number)
        planned = PlannedAlert(alert=story_alert(article), score=1.0, recipients=tuple(chats))
        found.append((article, [planned]))
    return record_alerts(store, found, now=now)


def stories_in(text: str) -> list[int]:
    """The story numbers named in a message, in the order they appear."""
    return [int(m[1]) for m in _ALERT_NO.finditer(text)]
