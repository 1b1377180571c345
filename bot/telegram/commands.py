"""What newsbot answers to each subscriber command and button (the Telegram adapter carries it).

Every answer is Telegram HTML with user input escaped; a bad or missing argument is answered
with what would have worked. ``/topics`` carries an inline keyboard whose buttons toggle one
topic each (:func:`press`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from html import escape

from bot.delivery.holds import describe, last_digest_time, parse_clock, parse_mute, zone
from bot.rules import RuleSet
from bot.store.ports import ChatStore
from bot.wording import count

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Welcome and how to choose topics"),
    ("topics", "Choose topics with buttons"),
    ("subscribe", "Follow a topic: /subscribe <topic>"),
    ("unsubscribe", "Stop following a topic: /unsubscribe <topic>"),
    ("mysubs", "What you follow and how alerts arrive"),
    ("mute", "Hold alerts for a while: /mute 2h"),
    ("unmute", "Receive alerts again now"),
    ("digest", "One daily message instead: /digest 08:00 or /digest off"),
    ("timezone", "Your time zone: /timezone Europe/Berlin"),
    ("whoami", "Your user id and this chat's id (for admins and channels)"),
    ("help", "What newsbot can do"),
)

CHANGING = frozenset({"subscribe", "unsubscribe", "mute", "unmute", "digest", "timezone"})
"""Commands that change what a chat receives: in a group, only its admins may use them."""

ADMINS_ONLY = "In a group, only its admins can change what the group receives."

TOGGLE_PREFIX = "topic:"
"""Callback data of a /topics button: ``topic:<topic id>``."""


@dataclass(frozen=True, slots=True)
class Chat:
    """Who sent a command."""

    chat_id: int
    user_id: int | None
    chat_type: str
    may_change: bool = True
    """False for a group member who is not one of its admins: they may look, not change."""


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer in Telegram HTML, with inline buttons ``(label, callback data)``, one a row."""

    html: str
    buttons: tuple[tuple[str, str], ...] = ()


def _topic_lines(rules: RuleSet, followed: Sequence[str] = ()) -> str:
    lines = []
    for topic in rules.topics:
        mark = "✅" if topic.id in followed else "▫️"
        lines.append(f"{mark} <code>{escape(topic.id)}</code> — {escape(topic.name)}")
    return "\n".join(lines) if lines else "No topics are configured yet."


def _topic_buttons(rules: RuleSet, followed: Sequence[str]) -> tuple[tuple[str, str], ...]:
    return tuple(
        (f"{'✅' if t.id in followed else '▫️'} {t.name[:40]}", f"{TOGGLE_PREFIX}{t.id}")
        for t in rules.topics
        if len((TOGGLE_PREFIX + t.id).encode()) <= 64  # Telegram's callback data limit
    )


def _start(chat: Chat, args: Sequence[str], store: ChatStore, rules: RuleSet, now: float) -> Reply:
    followed = store.subscriptions_of(chat.chat_id)
    return Reply(
        "👋 <b>newsbot</b> watches the news and tells you when a story matches a topic you "
        "follow, with a short note on why it matched.\n\n"
        f"<b>Topics</b>\n{_topic_lines(rules, followed)}\n\n"
        "<b>How to choose</b>: tap the buttons below (or send /topics any time), or type "
        "<code>/subscribe topic-id</code>. Want fewer pings? /digest sends one message a day; "
        "/mute pauses alerts. /help lists every command.",
        _topic_buttons(rules, followed),
    )


def _help(chat: Chat, args: Sequence[str], store: ChatStore, rules: RuleSet, now: float) -> Reply:
    lines = [f"/{name} — {escape(text)}" for name, text in COMMANDS]
    return Reply("<b>Commands</b>\n" + "\n".join(lines))


def _whoami(chat: Chat, args: Sequence[str], store: ChatStore, rules: RuleSet, now: float) -> Reply:
    """The ids a maintainer puts in ``telegram.admins`` (user) and ``telegram.channels`` (chat)."""
    user = f"<code>{chat.user_id}</code>" if chat.user_id is not None else "not shown (anonymous)"
    return Reply(
        f"Your user id: {user}\n"
        f"This chat's id: <code>{chat.chat_id}</code> ({escape(chat.chat_type)})\n\n"
        "In config/newsbot.yaml, a user id goes under <code>telegram.admins</code>; a group or "
        "channel id under <code>telegram.channels</code> as "
        f"<code>{{chat_id: {chat.chat_id}, topics: [...]}}</code>."
    )


def _topics_reply(chat_id: int, store: ChatStore, rules: RuleSet) -> Reply:
    followed = store.subscriptions_of(chat_id)
    return Reply(
        f"<b>Topics</b> — tap to follow or stop (✅ = you follow it)\n"
        f"{_topic_lines(rules, followed)}",
        _topic_buttons(rules, followed),
    )


def _topics(chat: Chat, args: Sequence[str], store: ChatStore, rules: RuleSet, now: float) -> Reply:
    return _topics_reply(chat.chat_id, store, rules)


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


def _follow(chat: Chat, topic_id: str, store: ChatStore, now: float) -> bool:
    store.upsert_subscriber(chat.chat_id, user_id=chat.user_id, chat_type=chat.chat_type, now=now)
    return store.subscribe(chat.chat_id, topic_id, now)


def _subscribe(
    chat: Chat, args: Sequence[str], store: ChatStore, rules: RuleSet, now: float
) -> Reply:
    topic_id, problem = _pick_topic(args, rules, "/subscribe topic-id")
    if problem or topic_id is None:
        return problem or Reply("")
    name = escape(rules.topic(topic_id).name)  # type: ignore[union-attr]
    if _follow(chat, topic_id, store, now):
        return Reply(f"✅ You now follow <b>{name}</b>. New stories will arrive here.")
    return Reply(f"You already follow <b>{name}</b>.")


def _unsubscribe(
    chat: Chat, args: Sequence[str], store: ChatStore, rules: RuleSet, now: float
) -> Reply:
    topic_id, problem = _pick_topic(args, rules, "/unsubscribe topic-id")
    if problem or topic_id is None:
        return problem or Reply("")
    name = escape(rules.topic(topic_id).name)  # type: ignore[union-attr]
    if store.unsubscribe(chat.chat_id, topic_id):
        return Reply(f"You no longer follow <b>{name}</b>.")
    return Reply(f"You were not following <b>{name}</b>.")


def _mysubs(chat: Chat, args: Sequence[str], store: ChatStore, rules: RuleSet, now: float) -> Reply:
    followed = store.subscriptions_of(chat.chat_id)
    prefs = store.prefs_of(chat.chat_id)
    if not followed:
        head = "You follow no topic yet. Choose with /topics."
    else:
        names = [
            f"✅ {escape(t.name)} (<code>{escape(t.id)}</code>)"
            for t in rules.topics
            if t.id in followed
        ]
        gone = [f"✅ <code>{escape(t)}</code> (no longer configured)" for t in followed]
        gone = [g for g, t in zip(gone, followed, strict=True) if rules.topic(t) is None]
        head = "<b>You follow</b>\n" + "\n".join(names + gone)
    waiting = store.pending_count(chat.chat_id)
    tail = (
        f"\n{count(waiting, 'alert')} {'is' if waiting == 1 else 'are'} waiting for you."
        if waiting
        else ""
    )
    return Reply(f"{head}\n\n{escape(describe(prefs, now))}.{tail}")


def _local(ts: float, tz_name: str) -> str:
    return datetime.fromtimestamp(ts, zone(tz_name) or UTC).strftime("%Y-%m-%d %H:%M")


def _mute(chat: Chat, args: Sequence[str], store: ChatStore, rules: RuleSet, now: float) -> Reply:
    seconds = parse_mute(args[0]) if args else None
    if seconds is None:
        given = f" (<code>{escape(args[0][:32])}</code> is not one)" if args else ""
        return Reply(
            f"Usage: <code>/mute 30m</code>, <code>/mute 2h</code>, <code>/mute 1d</code> or "
            f"<code>/mute 1w</code>{given}. Alerts are kept while muted and arrive when the "
            "mute ends."
        )
    prefs = store.prefs_of(chat.chat_id)
    store.save_prefs(replace(prefs, muted_until=now + seconds))
    return Reply(
        f"🔕 Muted until {_local(now + seconds, prefs.timezone)} ({escape(prefs.timezone)}). "
        "Alerts found meanwhile are kept and arrive then; /unmute ends it now."
    )


def _unmute(chat: Chat, args: Sequence[str], store: ChatStore, rules: RuleSet, now: float) -> Reply:
    prefs = store.prefs_of(chat.chat_id)
    if prefs.muted_until is None or prefs.muted_until <= now:
        return Reply("You are not muted: alerts arrive as usual.")
    store.save_prefs(replace(prefs, muted_until=None))
    waiting = store.pending_count(chat.chat_id)
    more = ""
    if waiting:
        on_way = "is on its way" if waiting == 1 else "are on their way"
        more = f" {count(waiting, 'held alert')} {on_way}."
    return Reply(f"🔔 Unmuted.{more}")


def _digest(chat: Chat, args: Sequence[str], store: ChatStore, rules: RuleSet, now: float) -> Reply:
    prefs = store.prefs_of(chat.chat_id)
    usage = (
        "Usage: <code>/digest 08:00</code> for one message a day at that time "
        f"({escape(prefs.timezone)}, change it with /timezone), or <code>/digest off</code>."
    )
    if not args:
        current = f"Your digest is at {prefs.digest_at}." if prefs.digest_at else "No digest set."
        return Reply(f"{current}\n{usage}")
    if args[0].lower() in ("off", "stop", "none"):
        store.save_prefs(replace(prefs, digest_at=None, digest_sent_at=None))
        return Reply("Digest off: alerts arrive as they are found (collected ones come now).")
    at = parse_clock(args[0])
    if at is None:
        return Reply(f"<code>{escape(args[0][:32])}</code> is not a time of day.\n{usage}")
    new = replace(prefs, digest_at=at)
    store.save_prefs(replace(new, digest_sent_at=last_digest_time(new, now)))
    return Reply(
        f"📰 Daily digest at {at} ({escape(prefs.timezone)}): alerts are collected and sent "
        "together then. <code>/digest off</code> goes back to instant alerts."
    )


def _timezone(
    chat: Chat, args: Sequence[str], store: ChatStore, rules: RuleSet, now: float
) -> Reply:
    prefs = store.prefs_of(chat.chat_id)
    usage = (
        "Usage: <code>/timezone Area/City</code>, e.g. <code>/timezone Europe/Berlin</code>, "
        "<code>/timezone America/New_York</code>, <code>/timezone UTC</code>."
    )
    if not args:
        return Reply(f"Your time zone is {escape(prefs.timezone)}.\n{usage}")
    tz = zone(args[0].strip())
    if tz is None:
        return Reply(f"<code>{escape(args[0][:64])}</code> is not a known time zone.\n{usage}")
    new = replace(prefs, timezone=args[0].strip())
    if new.digest_at:
        new = replace(new, digest_sent_at=last_digest_time(new, now))
    store.save_prefs(new)
    return Reply(
        f"🕒 Time zone set to {escape(new.timezone)} (now {_local(now, new.timezone)} there)."
    )


Handler = Callable[[Chat, Sequence[str], ChatStore, RuleSet, float], Reply]

HANDLERS: dict[str, Handler] = {
    "start": _start,
    "help": _help,
    "topics": _topics,
    "subscribe": _subscribe,
    "unsubscribe": _unsubscribe,
    "mysubs": _mysubs,
    "mute": _mute,
    "unmute": _unmute,
    "digest": _digest,
    "timezone": _timezone,
    "whoami": _whoami,
}


def answer(
    command: str, args: Sequence[str], chat: Chat, store: ChatStore, rules: RuleSet, now: float
) -> Reply:
    """The reply to ``/command args`` from ``chat``; unknown commands get the help text."""
    if command.lower() in CHANGING and not chat.may_change:
        return Reply(escape(ADMINS_ONLY))
    handler = HANDLERS.get(command.lower(), _help)
    return handler(chat, args, store, rules, now)


def press(data: str, chat: Chat, store: ChatStore, rules: RuleSet, now: float) -> tuple[Reply, str]:
    """A /topics button was pressed: toggle the topic; the message's new form and a toast."""
    topic_id = data.removeprefix(TOGGLE_PREFIX)
    topic = rules.topic(topic_id) if data.startswith(TOGGLE_PREFIX) else None
    if topic is None:
        return _topics_reply(chat.chat_id, store, rules), "That topic no longer exists."
    if not chat.may_change:
        return _topics_reply(chat.chat_id, store, rules), ADMINS_ONLY
    if topic_id in store.subscriptions_of(chat.chat_id):
        store.unsubscribe(chat.chat_id, topic_id)
        toast = f"Stopped following {topic.name}"
    else:
        _follow(chat, topic_id, store, now)
        toast = f"Now following {topic.name}"
    return _topics_reply(chat.chat_id, store, rules), toast[:190]
