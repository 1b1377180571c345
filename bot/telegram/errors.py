"""Translate python-telegram-bot's exceptions into newsbot's ``DeliveryError`` tree.

    RetryAfter (429)                     → RetryableDelivery(retry_after=seconds)
    TimedOut, NetworkError (5xx, socket) → RetryableDelivery
    Conflict (409, another poller)       → RetryableDelivery
    ChatMigrated (400 + migrate_to)      → ChatMigrated(new_chat_id=...)
    BadRequest "can't parse entities",
               "message is too long"     → MessageRejected (resend as plain text)
    other BadRequest (chat not found…)   → PermanentDelivery
    Forbidden (403), InvalidToken (401)  → PermanentDelivery
    any other TelegramError              → RetryableDelivery

PTB trusts the HTTP status: a ``200`` whose body says ``{"ok": false, ...}`` has no
``result`` and surfaces as a bare ``KeyError``. :class:`CheckedRequest` closes that gap by
treating such an answer as the error status it names, so it arrives here as a
``TelegramError`` like any other; build bots with it (``request=`` and ``get_updates_request=``).
"""

from __future__ import annotations

import json
import os
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
)

# PTB 22 warns on every read of a time period as int (and RetryAfter reads its own while being
# built); opting in to timedelta periods, the next major version's behaviour, silences that.
os.environ.setdefault("PTB_TIMEDELTA", "true")

_REJECTED_TEXT = ("can't parse entities", "message is too long", "entities too long")


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def translate(exc: TelegramError) -> DeliveryError:
    """The newsbot error for a python-telegram-bot exception (see the table above)."""
    reason = f"{type(exc).__name__}: {exc.message}"
    if isinstance(exc, RetryAfter):
        return RetryableDelivery(reason, retry_after=_seconds(exc.retry_after))
    if isinstance(exc, PTBChatMigrated):
        return ChatMigrated(reason, new_chat_id=exc.new_chat_id)
    if isinstance(exc, Forbidden | InvalidToken):
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
    """PTB's HTTPX request, but a 2xx answer with ``ok: false`` counts as its ``error_code``."""

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
        if not 200 <= code <= 299:
            return code, payload
        try:
            body = json.loads(payload)
        except ValueError:
            return code, payload  # PTB reports unparsable bodies itself
        if isinstance(body, dict) and body.get("ok") is False:
            error_code = body.get("error_code")
            if isinstance(error_code, int) and error_code >= 400:
                return error_code, payload
            return 400, payload
        return code, payload
