"""Decide which alerts an article deserves and who receives them (pure)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from bot.model import Alert, Article, Match, PlannedAlert


def plan_alerts(
    article: Article,
    matches: Sequence[Match],
    *,
    source_id: str,
    already_alerted: Collection[str],
    recipients: Mapping[str, Sequence[int]],
) -> tuple[PlannedAlert, ...]:
    """One alert per matched topic not alerted before for this article, to that topic's chats.

    A topic with no recipients still gets its alert recorded, so a later subscriber is not sent
    old news and the article is not reconsidered on every check.
    """
    if article.blocked or not article.url:
        return ()
    planned = []
    for match in matches:
        if match.topic_id in already_alerted:
            continue
        alert = Alert(
            topic_id=match.topic_id,
            topic_name=match.topic_name,
            url=article.url,
            title=article.title or article.url,
            source_id=source_id,
            published=article.published,
            reason=match.reason,
            snippet=match.snippet,
            marks=match.marks,
        )
        chats = tuple(dict.fromkeys(recipients.get(match.topic_id, ())))
        planned.append(PlannedAlert(alert=alert, score=match.score, recipients=chats))
    return tuple(planned)


def recipients_by_topic(
    topic_ids: Sequence[str],
    *,
    subscribers: Mapping[str, Sequence[int]],
    channels: Sequence[tuple[int, Sequence[str]]],
    extra: Sequence[int] = (),
) -> dict[str, tuple[int, ...]]:
    """Subscribers of each topic, then the channels configured for it, then ``extra`` chats."""
    out: dict[str, tuple[int, ...]] = {}
    for topic_id in topic_ids:
        chats = list(subscribers.get(topic_id, ()))
        chats += [chat_id for chat_id, topics in channels if topic_id in topics]
        chats += list(extra)
        out[topic_id] = tuple(dict.fromkeys(chats))
    return out
