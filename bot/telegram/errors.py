"""Translate python-telegram-bot's exceptions into newsbot's ``DeliveryError`` tree.

    RetryAfter (429)                     → RetryableDelivery(retry_after=seconds)
    TimedOut, NetworkError (5xx, socket) → RetryableDelivery
    Conflict (409, another poller)       → RetryableDelivery
    ChatMigrated (400 + migrate_to)      → ChatMigrated(new_chat_id=...)
    BadRequest "can't parse entities",
               "message is too long"     → MessageRejected (resend as plain text)
    other BadRequest (chat not found…)   → PermanentDelivery
    Forbidden (403)                      → PermanentDelivery
    InvalidToken (401, 404)              → TokenRejected (bot-wide: stop sending, keep pending)
    any other TelegramError              → RetryableDelivery

Every reason is redacted (``bot.redact``): an API server or proxy that echoes the request URL
in its error text would otherwise carry the token into logs, the database and ``/status``.

PTB trusts the HTTP status: a ``200`` whose body says ``{"ok": false, ...}`` has no
``result`` and surfaces as a bare ``KeyError``. :class:`CheckedRequest` closes that gap by
treating such an answer as the error status it names, so it arrives here as a
``TelegramError`` like any other; build bots with it (``request=`` and ``get_updates_request=``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, MutableMapping
from datetime import timedelta
from typing import Any

from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.error import ChatMigrated as PTBChatMigrated
from telegram.request import HTTPXRequest, RequestData

from bot.errors import (
    ChatMigrated,
    DeliveryError,
    MessageRejected,
    PermanentDelivery,
    RetryableDelivery,
    TokenRejected,
)
from bot.redact import redact

_REJECTED_TEXT = ("can't parse entities", "message is too long", "entities too long")


def use_timedelta_periods(environ: MutableMapping[str, str] | None = None) -> None:
    """Opt in to PTB's timedelta periods (``PTB_TIMEDELTA``) unless the environment says otherwise.

    PTB 22 warns on every read of a time period as int (and ``RetryAfter`` reads its own while
    being built); opting in to the next major version's behaviour silences that. PTB reads the
    variable from the process environment at each read, so the adapter calls this when it is
    set up (``TelegramLink``), never at import.
    """
    (os.environ if environ is None else environ).setdefault("PTB_TIMEDELTA", "true")


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def translate(exc: TelegramError, token: str | None = None) -> DeliveryError:
    """The newsbot error for a python-telegram-bot exception (see the table above), with
    ``token`` redacted from its reason."""
    reason = redact(f"{type(exc).__name__}: {exc.message}", token)
    if isinstance(exc, RetryAfter):
        return RetryableDelivery(reason, retry_after=_seconds(exc.retry_after))
    if isinstance(exc, PTBChatMigrated):
        return ChatMigrated(reason, new_chat_id=exc.new_chat_id)
    if isinstance(exc, InvalidToken):
        return TokenRejected(reason)
    if isinstance(exc, Forbidden):
        return PermanentDelivery(reason)
    if isinstance(exc, BadRequest):  # a NetworkError subclass: test it first
        text = exc.message.lower()
        if any(marker in text for marker in _REJECTED_TEXT):
            return MessageRejected(reason)
        return PermanentDelivery(reason)
    if isinstance(exc, TimedOut | NetworkError | Conflict):
        return RetryableDelivery(reason)
    return RetryableDelivery(reason)


class CheckedRequest(HTTPXRequest):
    """PTB's HTTPX request, but a 2xx answer with ``ok: false`` counts as its ``error_code``.

    ``on_rejected`` is called for every answer that rejects the token (401, 404), so the bot
    learns it whichever request saw it. With ``keep_polling``, such an answer reaches PTB as a
    503: PTB's poller stops for good on a rejected token, but retries (with backoff, up to 30 s)
    on a server error, so polling resumes by itself once the token works again.
    """

    def __init__(
        self,
        *args: Any,
        on_rejected: Callable[[], None] | None = None,
        keep_polling: bool = False,
        **kw: Any,
    ):
        super().__init__(*args, **kw)
        self.on_rejected = on_rejected
        self.keep_polling = keep_polling

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = HTTPXRequest.DEFAULT_NONE,
        write_timeout: Any = HTTPXRequest.DEFAULT_NONE,
        connect_timeout: Any = HTTPXRequest.DEFAULT_NONE,
        pool_timeout: Any = HTTPXRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        code, payload = await super().do_request(
            url,
            method,
            request_data,
            read_timeout,
            write_timeout,
            connect_timeout,
            pool_timeout,
        )
        code = _checked_code(code, payload)
        if code in (401, 404):
            if self.on_rejected is not None:
                self.on_rejected()
            if self.keep_polling:
                return 503, payload
        return code, payload


def _checked_code(code: int, payload: bytes) -> int:
    if not 200 <= code <= 299:
        return code
    try:
        body = json.loads(payload)
    except ValueError:
        return code  # PTB reports unparsable bodies itself
    if isinstance(body, dict) and body.get("ok") is False:
        error_code = body.get("error_code")
        if isinstance(error_code, int) and error_code >= 400:
            return error_code
        return 400
    return code
