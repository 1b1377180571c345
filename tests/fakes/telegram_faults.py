"""The fake Bot API's fault model: what a test can make it answer instead of the normal reply.

A :class:`Fault` is one faulty answer (an API error, a stall, a reset connection, a body as a
proxy would send it, an answer held at a gate); a :class:`FaultRule` says which calls get it
and how many times. :class:`ApiError` is an error answer on its way to the wire.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Fault:
    """One faulty answer. ``status=None`` means: answer normally (after ``delay_s``).

    ``http_status`` is what goes on the wire; it differs from ``status`` only for
    :meth:`ok_false`, where the API says 200 but the body says ``ok: false``.
    """

    status: int | None
    description: str = ""
    parameters: dict[str, Any] | None = None
    delay_s: float = 0.0
    http_status: int | None = None
    echo_url: bool = False
    raw_body: bytes | None = None
    content_type: str = "application/json"
    reset: bool = False
    gate: threading.Event | None = None

    @classmethod
    def retry_after(cls, seconds: int) -> Fault:
        """429 Too Many Requests with ``parameters.retry_after`` (PTB: ``RetryAfter``)."""
        return cls(
            429,
            f"Too Many Requests: retry after {seconds}",
            {"retry_after": seconds},
        )

    @classmethod
    def server_error(cls, status: int = 502, description: str = "Bad Gateway") -> Fault:
        """A 5xx answer (PTB: ``NetworkError``)."""
        return cls(status, description)

    @classmethod
    def stall(cls, seconds: float, then: Fault | None = None) -> Fault:
        """Wait ``seconds`` before answering (normally, or with ``then``): client timeouts."""
        if then is None:
            return cls(None, delay_s=seconds)
        return dataclasses.replace(then, delay_s=seconds)

    @classmethod
    def blocked(cls) -> Fault:
        """403 as when the user blocked the bot (PTB: ``Forbidden``)."""
        return cls(403, "Forbidden: bot was blocked by the user")

    @classmethod
    def migrated(cls, new_chat_id: int) -> Fault:
        """400 with ``parameters.migrate_to_chat_id`` (PTB: ``ChatMigrated``)."""
        return cls(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": new_chat_id},
        )

    @classmethod
    def parse_error(cls, detail: str = 'Unsupported start tag "x" at byte offset 0') -> Fault:
        """400 can't parse entities (PTB: ``BadRequest``)."""
        return cls(400, f"Bad Request: can't parse entities: {detail}")

    @classmethod
    def chat_not_found(cls) -> Fault:
        """400 chat not found (PTB: ``BadRequest``)."""
        return cls(400, "Bad Request: chat not found")

    @classmethod
    def unauthorized(cls) -> Fault:
        """401 as for a revoked token (PTB: ``InvalidToken``)."""
        return cls(401, "Unauthorized")

    @classmethod
    def ok_false(cls, error_code: int = 400, description: str = "Bad Request: odd") -> Fault:
        """HTTP 200 whose body is ``{"ok": false, "error_code": ..., "description": ...}``."""
        return cls(error_code, description, http_status=200)

    @classmethod
    def echoing_url(cls, status: int = 502, description: str = "Bad Gateway") -> Fault:
        """An error whose description quotes the request URL, token and all, as some proxies
        and API servers do."""
        return cls(status, description, echo_url=True)

    @classmethod
    def raw(cls, status: int, body: bytes, content_type: str = "text/html") -> Fault:
        """Answer ``body`` as it is (an HTML error page of a proxy, a truncated JSON)."""
        return cls(status, http_status=status, raw_body=body, content_type=content_type)

    @classmethod
    def gated(cls, gate: threading.Event) -> Fault:
        """Hold the request until ``gate`` is set, then answer normally (the test decides
        when Telegram answers; :attr:`FakeTelegram.at_gate` counts who waits)."""
        return cls(None, gate=gate)

    @classmethod
    def connection_reset(cls) -> Fault:
        """Read the request, then drop the connection without answering."""
        return cls(None, reset=True)

    @classmethod
    def error(
        cls, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> Fault:
        """Any error answer."""
        return cls(status, description, parameters)


@dataclass(slots=True)
class FaultRule:
    """Answer ``fault`` to the next ``times`` calls of ``method`` (to ``chat_id`` if given).

    ``times=None`` keeps the rule forever. Rules are tried in the order they were injected.
    """

    fault: Fault
    method: str | None = "sendMessage"
    chat_id: int | str | None = None
    times: int | None = 1
    used: int = 0

    def matches(self, method: str, chat_id: int | str | None) -> bool:
        if self.times is not None and self.used >= self.times:
            return False
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id


class ApiError(Exception):
    """An error answer of the Bot API: ``error_code``, ``description``, ``parameters``."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters
