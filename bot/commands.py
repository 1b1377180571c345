"""What newsbot answers to each subscriber command (the Telegram adapter only carries it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from bot.rules import RuleSet
from bot.store import Store

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Welcome and the list of topics"),
    ("help", "What newsbot can do"),
    ("topics", "All topics and which you follow"),
    ("subscribe", "Follow a topic: /subscribe <topic>"),
    ("unsubscribe", "Stop following a topic: /unsubscribe <topic>"),
)


@dataclass(frozen=True, slots=True)
class Chat:
    """Who sent a command."""

    chat_id: int
    user_id: int | None
    chat_type: str


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer in Telegram HTML."""

    html: str


def _topic_lines(rules: RuleSet, followed: Sequence[str] = ()) -> str:
    lines = []
    for topic in rules.topics:
        mark = "✅" if topic.id in followed else "▫️"
        lines.append(f"{mark} <code>{escape(topic.id)}</code> — {escape(topic.name)}")
    return "\n".join(lines) if lines else "No topics are configured yet."


def _start(chat: Chat, args: Sequence[str], store: Store, rules: RuleSet, now: float) -> Reply:
    return Reply(
        "👋 <b>newsbot</b> watches the news and tells you when a story matches a topic you "
        "follow, with a short note on why it matched.\n\n"
        f"<b>Topics</b>\n{_topic_lines(rules, store.subscriptions_of(chat.chat_id))}\n\n"
        "Follow one with <code>/subscribe topic-id</code>; /help lists every command."
    )


def _help(chat: Chat, args: Sequence[str], store: Store, rules: RuleSet, now: float) -> Reply:
    lines = [f"/{name} — {escape(text)}" for name, text in COMMANDS]
    return Reply("<b>Commands</b>\n" + "\n".join(lines))


def _topics(chat: Chat, args: Sequence[str], store: Store, rules: RuleSet, now: float) -> Reply:
    followed = store.subscriptions_of(chat.chat_id)
    return Reply(f"<b>Topics</b> (✅ = you follow it)\n{_topic_lines(rules, followed)}")


def _pick_topic(args: Sequence[str], rules: RuleSet, usage: str) -> tuple[str | None, Reply | None]:
    if not args:
        return None, Reply(f"Usage: <code>{escape(usage)}</code>\n\n{_topic_lines(rules)}")
    wanted = args[0].strip().lower()
    if rules.topic(wanted) is None:
        return None, Reply(
            f"There is no topic <code>{escape(args[0][:64])}</code>. Valid topics:\n"
            f"{_topic_lines(rules)}"
        )
    return wanted, None


def _subscribe(chat: Chat, args: Sequence[str], store: Store, rules: RuleSet, now: float) -> Reply:
    topic_id, problem = _pick_topic(args, rules, "/subscribe topic-id")
    if problem or topic_id is None:
        return problem or Reply("")
    store.upsert_subscriber(chat.chat_id, user_id=chat.user_id, chat_type=chat.chat_type, now=now)
    name = escape(rules.topic(topic_id).name)  # type: ignore[union-attr]
    if store.subscribe(chat.chat_id, topic_id, now):
        return Reply(f"✅ You now follow <b>{name}</b>. New stories will arrive here.")
    return Reply(f"You already follow <b>{name}</b>.")


def _unsubscribe(
    chat: Chat, args: Sequence[str], store: Store, rules: RuleSet, now: float
) -> Reply:
    topic_id, problem = _pick_topic(args, rules, "/unsubscribe topic-id")
    if problem or topic_id is None:
        return problem or Reply("")
    name = escape(rules.topic(topic_id).name)  # type: ignore[union-attr]
    if store.unsubscribe(chat.chat_id, topic_id):
        return Reply(f"You no longer follow <b>{name}</b>.")
    return Reply(f"You were not following <b>{name}</b>.")


Handler = Callable[[Chat, Sequence[str], Store, RuleSet, float], Reply]

HANDLERS: dict[str, Handler] = {
    "start": _start,
    "help": _help,
    "topics": _topics,
    "subscribe": _subscribe,
    "unsubscribe": _unsubscribe,
}


def answer(
    command: str, args: Sequence[str], chat: Chat, store: Store, rules: RuleSet, now: float
) -> Reply:
    """The reply to ``/command args`` from ``chat``; unknown commands get the help text."""
    handler = HANDLERS.get(command.lower(), _help)
    return handler(chat, args, store, rules, now)
