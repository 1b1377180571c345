"""The Telegram adapter: python-telegram-bot's Application for commands, its Bot for alerts.

Only this package imports ``telegram``. Vendor errors are translated by
``bot.telegram.errors.translate`` into newsbot's ``DeliveryError`` tree.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, tzinfo

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Update,
)
from telegram import Chat as TgChat
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import metrics
from bot.delivery.render import render_messages, render_plain
from bot.errors import DeliveryError, MessageRejected, StorageError
from bot.model import Alert
from bot.rules import RuleSet
from bot.store import Store
from bot.telegram.admin import ADMIN_COMMANDS, AdminHooks, admin_answer
from bot.telegram.commands import CHANGING, COMMANDS, Chat, Reply, answer, press
from bot.telegram.console import ConsoleSender as ConsoleSender  # re-exported: its old home
from bot.telegram.errors import CheckedRequest, translate, use_timedelta_periods

log = logging.getLogger("newsbot.telegram")

STORAGE_TROUBLE = Reply(
    "Sorry, I cannot save or look that up right now (my database is in trouble; the admins see"
    " it in the log). Please try again later."
)


class TelegramLink:
    """One bot: receives commands (long polling) and sends alerts."""

    def __init__(
        self,
        *,
        token: str,
        api_base_url: str,
        store: Store,
        rules: Callable[[], RuleSet],
        clock: Callable[[], float],
        link_preview: bool = False,
        poll_timeout_s: float = 30.0,
        send_concurrency: int = 16,
        send_timeout_s: float = 20.0,
        admin: AdminHooks | None = None,
    ) -> None:
        use_timedelta_periods()
        self._token = token
        self._rejected = False  # some request saw 401/404 since the last good probe
        self.store = store
        self.admin = admin
        self.rules = rules
        self.clock = clock
        self.link_preview = link_preview
        self.poll_timeout_s = poll_timeout_s
        self.app: Application = (  # type: ignore[type-arg]
            ApplicationBuilder()
            .token(token)
            .base_url(f"{api_base_url}/bot")
            .base_file_url(f"{api_base_url}/file/bot")
            .request(
                CheckedRequest(
                    connection_pool_size=send_concurrency + 8,
                    read_timeout=send_timeout_s,
                    pool_timeout=send_timeout_s,
                    on_rejected=self._on_rejected,
                )
            )
            .get_updates_request(
                CheckedRequest(
                    read_timeout=poll_timeout_s + 10,
                    on_rejected=self._on_rejected,
                    keep_polling=True,
                )
            )
            .build()
        )
        self.app.add_handler(MessageHandler(filters.COMMAND, self._on_command))
        self.app.add_handler(CallbackQueryHandler(self._on_button))

    # -- lifecycle -------------------------------------------------------------------------

    async def open(self) -> None:
        """Connect and register the command list (setMyCommands) so Telegram shows it."""
        try:
            await self.app.initialize()
            await self.app.bot.set_my_commands([BotCommand(n, d) for n, d in COMMANDS])
        except TelegramError as exc:
            raise self._translate(exc) from None
        if self.admin is not None:  # admins also see their commands in their private chat
            everything = [BotCommand(n, d) for n, d in COMMANDS + ADMIN_COMMANDS]
            for admin in sorted(self.admin.admins()):
                try:
                    await self.app.bot.set_my_commands(everything, scope=BotCommandScopeChat(admin))
                except TelegramError as exc:  # an admin who never opened the bot's chat
                    reason = self._translate(exc).reason
                    log.info("admin %s: command list not set: %s", admin, reason)

    async def process_pending_updates(self) -> int:
        """Answer every command already waiting, without long polling (for ``run --once``)."""
        try:
            updates = await self.app.bot.get_updates(timeout=0)
            for update in updates:
                await self.app.process_update(update)
            if updates:
                await self.app.bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
        except TelegramError as exc:
            raise self._translate(exc) from None
        return len(updates)

    async def start_polling(self) -> None:
        await self.app.start()
        assert self.app.updater is not None
        await self.app.updater.start_polling(
            timeout=int(self.poll_timeout_s), error_callback=self._on_poll_error
        )

    async def probe(self) -> None:
        """Ask Telegram whether the token works (getMe); raise ``DeliveryError`` if not."""
        try:
            await self.app.bot.get_me()
        except TelegramError as exc:
            raise self._translate(exc) from None
        self._rejected = False

    async def close(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    # -- sending ---------------------------------------------------------------------------

    @metrics.timed(metrics.SEND_SECONDS)
    async def send(self, chat_id: int, alerts: Sequence[Alert], tz: tzinfo = UTC) -> int | None:
        """Send alerts (one message for a group from ``message_groups``) as HTML, times in
        ``tz``; if Telegram rejects the HTML, send the plain-text form instead."""
        try:
            return await self._send_all(chat_id, render_messages(alerts, tz=tz), ParseMode.HTML)
        except MessageRejected as exc:
            log.warning("chat %s: HTML rejected (%s); sending plain text", chat_id, exc.reason)
            return await self._send_all(chat_id, render_plain(alerts, tz=tz), None)

    async def _send_all(self, chat_id: int, texts: list[str], mode: str | None) -> int | None:
        first: int | None = None
        for text in texts:
            try:
                message = await self.app.bot.send_message(
                    chat_id=chat_id,
                    text=text,
                    parse_mode=mode,
                    link_preview_options=LinkPreviewOptions(is_disabled=not self.link_preview),
                )
            except TelegramError as exc:
                raise self._translate(exc) from None
            first = first if first is not None else message.message_id
        return first

    async def notify_admins(self, admins: frozenset[int], text: str) -> None:
        """Tell every admin (in their private chat) about something they must act on."""
        for admin in sorted(admins):
            try:
                await self.app.bot.send_message(chat_id=admin, text=text[:4000])
            except TelegramError as exc:
                log.warning("admin %s: notice not sent: %s", admin, self._translate(exc).reason)

    # -- commands --------------------------------------------------------------------------

    async def _on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        chat = update.effective_chat
        if message is None or chat is None or not message.text:
            return
        words = message.text.split()
        command, _, addressee = words[0][1:].partition("@")
        command = command.lower()
        if addressee and addressee.lower() != (self.app.bot.username or "").lower():
            return  # "/help@otherbot" in a group is for another bot
        user_id = update.effective_user.id if update.effective_user else None
        may_change = True
        if command in CHANGING:
            may_change = await self._may_change(chat.id, chat.type, user_id, message.sender_chat)
        who = Chat(chat_id=chat.id, user_id=user_id, chat_type=chat.type, may_change=may_change)
        try:
            if command in {name for name, _ in ADMIN_COMMANDS}:
                hooks = self.admin or AdminHooks(frozenset, _no_reload, _no_test, lambda: None)
                reply = await admin_answer(command, words[1:], who, self.store, hooks, self.clock())
            else:
                reply = answer(command, words[1:], who, self.store, self.rules(), self.clock())
        except StorageError as exc:  # disk full, database locked: say so, keep running
            log.warning("chat %s: /%s not answered: %s", chat.id, command, exc)
            reply = STORAGE_TROUBLE
        try:
            await message.reply_text(
                reply.html,
                parse_mode=ParseMode.HTML,
                do_quote=False,
                reply_markup=_keyboard(reply),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except TelegramError as exc:
            error: DeliveryError = self._translate(exc)
            log.warning("chat %s: reply to /%s failed: %s", chat.id, command, error.reason)

    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A /topics button: toggle the topic, edit the message in place, answer the query."""
        query = update.callback_query
        chat = update.effective_chat
        if query is None or chat is None:
            return
        may_change = await self._may_change(chat.id, chat.type, query.from_user.id, None)
        who = Chat(
            chat_id=chat.id, user_id=query.from_user.id, chat_type=chat.type, may_change=may_change
        )
        try:
            reply, toast = press(query.data or "", who, self.store, self.rules(), self.clock())
        except StorageError as exc:
            log.warning("chat %s: button not answered: %s", chat.id, exc)
            with contextlib.suppress(TelegramError):
                await query.answer(STORAGE_TROUBLE.html)
            return
        try:
            await query.answer(toast)
            await query.edit_message_text(
                reply.html, parse_mode=ParseMode.HTML, reply_markup=_keyboard(reply)
            )
        except TelegramError as exc:
            log.warning("chat %s: button answer failed: %s", chat.id, self._translate(exc).reason)

    async def _may_change(
        self, chat_id: int, chat_type: str, user_id: int | None, sender_chat: TgChat | None
    ) -> bool:
        """Whether this user may change what the chat receives: anyone in a private chat, only
        the owner and admins in a group (an anonymous admin writes as the group itself)."""
        if chat_type not in (ChatType.GROUP, ChatType.SUPERGROUP):
            return True
        if sender_chat is not None and sender_chat.id == chat_id:
            return True
        if user_id is None:
            return False
        try:
            member = await self.app.bot.get_chat_member(chat_id, user_id)
        except TelegramError as exc:
            reason = self._translate(exc).reason
            log.warning("chat %s: cannot check user %s: %s", chat_id, user_id, reason)
            return False
        return member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)

    def token_rejected(self) -> bool:
        """Whether a request (a send, or the poller) saw the token rejected since the last
        good probe."""
        return self._rejected

    def _on_rejected(self) -> None:
        self._rejected = True  # the deliverer notices, logs it, and probes

    def _translate(self, exc: TelegramError) -> DeliveryError:
        return translate(exc, self._token)

    def _on_poll_error(self, exc: TelegramError) -> None:
        log.warning("polling Telegram failed: %s", self._translate(exc).reason)


def _keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data)] for label, data in reply.buttons]
    )


async def _no_reload() -> str:
    return "reload is not available"


async def _no_test(url: str) -> str:
    return "testing a URL is not available"
