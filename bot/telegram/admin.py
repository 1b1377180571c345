"""What newsbot answers to its admins: /status, /reload and /test <url>.

Admins are the Telegram user ids in ``telegram.admins``; anyone else gets a polite refusal and
nothing else. Admin output (subscribers' chat ids, sources' errors) is shown only in an admin's
private chat: asked in a group, the bot says where to ask. The running bot lends its powers
through :class:`AdminHooks`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape

from bot.delivery.render import neutralize
from bot.errors import FetchError
from bot.fetch.client import Fetcher
from bot.rules import RuleSet
from bot.store.ports import AdminStore
from bot.telegram.commands import Chat, Reply

ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("status", "Sources, deliveries and the last cycle"),
    ("reload", "Reload the config file"),
    ("test", "Fetch a page and explain every topic: /test <url>"),
)

REFUSAL = Reply("Sorry, that command is only for the admins of this bot. /help lists yours.")
PRIVATE_ONLY = Reply(
    "Admin commands answer only in your private chat with the bot: the answers name"
    " subscribers' chats. Ask me there."
)


@dataclass(frozen=True, slots=True)
class AdminHooks:
    """What admin commands may do in the running bot."""

    admins: Callable[[], frozenset[int]]
    reload: Callable[[], Awaitable[str]]
    test_url: Callable[[str], Awaitable[str]]
    last_cycle: Callable[[], float | None]


def _when(ts: float | None, now: float) -> str:
    if ts is None:
        return "never"
    ago = max(0, int(now - ts))
    stamp = datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"{stamp} ({ago}s ago)"


def status(store: AdminStore, now: float, last_cycle: float | None) -> Reply:
    """Sources by health with their last error, the outbox by state, the latest failures."""
    lines = ["<b>Sources</b>"]
    statuses = store.source_statuses()
    if not statuses:
        lines.append("none has run yet")
    for source_id, health in sorted(statuses.items()):
        icon = {"ok": "🟢", "failing": "🔴", "blocked": "🟠"}.get(health.status, "⚪")
        line = f"{icon} <code>{escape(source_id)}</code> {escape(health.status)}"
        if health.status != "ok" and health.last_error:
            line += f" — {escape(neutralize(health.last_error[:200]))}"
        lines.append(line)
    counts = store.delivery_counts()
    lines.append("\n<b>Deliveries</b>")
    lines.append(
        ", ".join(f"{state} {counts.get(state, 0)}" for state in ("pending", "sending", "sent"))
        + f", failed {counts.get('failed', 0)}"
    )
    for delivery_id, chat_id, reason in store.failed_deliveries(5):
        lines.append(f"✖ #{delivery_id} to {chat_id}: {escape(neutralize(reason[:200]))}")
    last_run = max((h.last_run_at or 0.0 for h in statuses.values()), default=0.0) or None
    lines.append("\n<b>Last cycle</b>")
    lines.append(f"source check: {_when(last_run, now)}")
    lines.append(f"delivery round: {_when(last_cycle, now)}")
    return Reply("\n".join(lines))


async def admin_answer(
    command: str, args: Sequence[str], chat: Chat, store: AdminStore, hooks: AdminHooks, now: float
) -> Reply:
    """The reply to an admin command; a refusal for anyone not in ``telegram.admins``."""
    if chat.user_id is None or chat.user_id not in hooks.admins():
        return REFUSAL
    if chat.chat_type != "private":
        return PRIVATE_ONLY
    if command == "status":
        return status(store, now, hooks.last_cycle())
    if command == "reload":
        return Reply(escape(await hooks.reload()))
    if command == "test":
        if not args or not args[0].startswith(("http://", "https://")):
            return Reply("Usage: <code>/test https://example.com/article</code>")
        return Reply(f"<pre>{escape((await hooks.test_url(args[0]))[:3500])}</pre>")
    return REFUSAL


async def explain_url(url: str, fetcher: Fetcher, rules: RuleSet) -> str:
    """Fetch ``url``, extract the article and explain every topic against it, as plain text."""
    from bot import extract
    from bot.rules import format_explanation
    from bot.sources.canonical import host_of

    try:
        fetched = await fetcher.get(url)
    except FetchError as exc:
        return f"Could not fetch the page: {exc.reason}"
    article = await asyncio.to_thread(extract, fetched.text, fetched.url)  # not on the loop
    host = host_of(article.url) if article.url else None
    lines = [f"{article.title or '(no title)'} ({article.language or '?'})"]
    if article.blocked:
        lines.append("The page is only a consent or subscription wall: nothing is matched.")
    matches = rules.match(article, source_host=host)
    lines.append("Matches: " + (", ".join(f"{m.topic_id} ({m.reason})" for m in matches) or "none"))
    lines += [format_explanation(e) for e in rules.explain(article, source_host=host)]
    return neutralize("\n".join(lines))
