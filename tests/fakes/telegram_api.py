"""A fake Telegram Bot API server on 127.0.0.1 that the real python-telegram-bot ``Bot`` talks to.

It runs in a background thread on an ephemeral port, so it serves in-process async tests and a
separate ``newsbot`` process alike. Point a bot at it with
``Bot(fake.token, base_url=fake.base_url)`` (PTB appends the token, then ``/<method>``).

What it does, faithfully enough to test delivery code against:

* parses requests the way Telegram does: form-urlencoded (what PTB sends; complex values are
  JSON strings), JSON bodies, multipart uploads, and query strings;
* ``getUpdates`` long-polls for real: it blocks until an update is queued or ``timeout`` passes,
  and confirms (forgets) updates below ``offset``;
* ``sendMessage`` with ``parse_mode=HTML`` parses the text with Telegram's rules
  (:func:`parse_html`) and answers ``400 Bad Request: can't parse entities: ...`` for unknown or
  unbalanced tags and bad entities, and ``400 Bad Request: message is too long`` above 4096
  characters after entity parsing;
* records every request (:attr:`FakeTelegram.requests`) and lets tests wait on a condition
  (:meth:`FakeTelegram.wait_for`) instead of sleeping;
* injects faults per method and optionally per chat (:class:`Fault`, :meth:`FakeTelegram.inject`),
  slows every answer (:attr:`FakeTelegram.delay_s`), and can enforce Telegram's flood limits
  (:class:`FloodLimits`) by answering 429 like the real API;
* misbehaves like a proxy or a broken network when told to: an error quoting the request URL
  (token and all), an HTML or truncated body, a reset connection, or an answer held until the
  test opens a gate (:meth:`Fault.echoing_url`, :meth:`Fault.raw`, :meth:`Fault.connection_reset`,
  :meth:`Fault.gated`).

It is stricter than Telegram in one documented way: a ``&`` that does not start one of the
entities Telegram supports (``&lt; &gt; &amp; &quot;`` and numeric ones) is a parse error,
because the Bot API documentation says every such ``&`` must be escaped.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import email.parser
import email.policy
import itertools
import json
import re
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

import pytest

T = TypeVar("T")

MAX_TEXT_LENGTH = 4096
"""Telegram's limit on a message text, in characters after entity parsing."""

DEFAULT_TOKEN = "123456:TEST-newsbot-fake-token"

# Parameters whose string values are text, never JSON, even when they look like a number.
_TEXT_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "url",
        "description",
        "short_description",
        "name",
        "language_code",
        "title",
        "query",
        "secret_token",
        "business_connection_id",
        "emoji",
        "quote",
    }
)

_SEND_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendvideo",
        "sendaudio",
        "sendanimation",
        "sendvoice",
        "sendsticker",
        "sendlocation",
        "sendpoll",
        "sendmediagroup",
        "forwardmessage",
        "copymessage",
    }
)


# --------------------------------------------------------------------------------------------
# Telegram's HTML parse mode
# --------------------------------------------------------------------------------------------


class EntityParseError(ValueError):
    """Not valid Telegram HTML; ``str()`` is the detail after "can't parse entities: "."""


_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#[xX]([0-9a-fA-F]{1,8})|#([0-9]{1,10})|([a-zA-Z]{1,10}));")
_SPACE = " \t\n\r\f\v"


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _decode_entity(raw: str, pos: int) -> tuple[str, int] | None:
    """Decode the entity starting at ``raw[pos] == "&"``: (character, end) or None if not one."""
    m = _ENTITY_RE.match(raw, pos)
    if not m:
        return None
    hex_code, dec_code, name = m.groups()
    if name is not None:
        if name not in _NAMED_ENTITIES:
            return None
        return _NAMED_ENTITIES[name], m.end()
    code = int(hex_code, 16) if hex_code is not None else int(dec_code)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), m.end()


@dataclass(slots=True)
class _OpenTag:
    name: str
    offset: int  # in UTF-16 units of the visible text
    argument: str
    attrs: dict[str, str]


def _byte_offset(raw: str, pos: int) -> int:
    return len(raw[:pos].encode("utf-8"))


def parse_html(raw: str, *, strict_entities: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into (visible text, entities) or raise :class:`EntityParseError`.

    Follows tdlib's ``parse_html``: supported tags only, attributes quoted or bare, closing
    tags must match the innermost open tag, all tags closed by the end. Error details use
    tdlib's wording with UTF-8 byte offsets. Entity offsets and lengths are UTF-16 units.
    """
    out: list[str] = []
    units = 0
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    i, n = 0, len(raw)
    while i < n:
        ch = raw[i]
        if ch == "&":
            decoded = _decode_entity(raw, i)
            if decoded is not None:
                out.append(decoded[0])
                units += utf16_len(decoded[0])
                i = decoded[1]
                continue
            if strict_entities:
                raise EntityParseError(
                    f"Unsupported HTML entity at byte offset {_byte_offset(raw, i)}"
                )
        if ch != "<":
            out.append(ch)
            units += 2 if ord(ch) > 0xFFFF else 1
            i += 1
            continue
        begin = i
        i += 1
        if i < n and raw[i] == "/":
            i += 1
            if not stack:
                raise EntityParseError(
                    f"Unexpected end tag at byte offset {_byte_offset(raw, begin)}"
                )
            name_start = i
            while i < n and raw[i] not in _SPACE and raw[i] != ">":
                i += 1
            end_name = raw[name_start:i].lower()
            while i < n and raw[i] in _SPACE:
                i += 1
            if i >= n or raw[i] != ">":
                raise EntityParseError(
                    f"Unclosed end tag at byte offset {_byte_offset(raw, begin)}"
                )
            i += 1
            tag = stack.pop()
            if end_name and end_name != tag.name:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(raw, begin)}, "
                    f'expected "</{tag.name}>", found "</{end_name}>"'
                )
            length = units - tag.offset
            if length > 0:
                entity = _entity_for(tag, length)
                if entity is not None:
                    entities.append(entity)
            continue
        name_start = i
        while i < n and raw[i] not in _SPACE and raw[i] != ">":
            i += 1
        name = raw[name_start:i].lower()
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(raw, begin)}")
        if name not in _TAG_ENTITY:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(raw, begin)}'
            )
        attrs: dict[str, str] = {}
        while True:
            while i < n and raw[i] in _SPACE:
                i += 1
            if i >= n:
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(raw, begin)}"
                )
            if raw[i] == ">":
                i += 1
                break
            attr_start = i
            while i < n and raw[i] not in _SPACE and raw[i] not in "=>":
                i += 1
            attr_name = raw[attr_start:i].lower()
            if not attr_name:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset '
                    f"{_byte_offset(raw, begin)}"
                )
            while i < n and raw[i] in _SPACE:
                i += 1
            if i < n and raw[i] != "=":
                attrs[attr_name] = ""  # an attribute without value, like <blockquote expandable>
                continue
            if i >= n:
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(raw, begin)}"
                )
            i += 1
            while i < n and raw[i] in _SPACE:
                i += 1
            if i >= n:
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(raw, begin)}"
                )
            value: list[str] = []
            if raw[i] in "'\"":
                quote = raw[i]
                i += 1
                while i < n and raw[i] != quote:
                    if raw[i] == "&":
                        decoded = _decode_entity(raw, i)
                        if decoded is not None:
                            value.append(decoded[0])
                            i = decoded[1]
                            continue
                        if strict_entities:
                            raise EntityParseError(
                                f"Unsupported HTML entity at byte offset {_byte_offset(raw, i)}"
                            )
                    value.append(raw[i])
                    i += 1
                if i >= n:
                    raise EntityParseError(
                        f"Unclosed start tag at byte offset {_byte_offset(raw, begin)}"
                    )
                i += 1
            else:
                while i < n and (raw[i].isalnum() or raw[i] in ".-_"):
                    value.append(raw[i])
                    i += 1
                if i >= n:
                    raise EntityParseError(
                        f"Unclosed start tag at byte offset {_byte_offset(raw, begin)}"
                    )
            attrs[attr_name] = "".join(value)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(raw, begin)}'
            )
        argument = attrs.get("href", "") if name == "a" else attrs.get("class", "")
        stack.append(_OpenTag(name, units, argument, attrs))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _entity_for(tag: _OpenTag, length: int) -> dict[str, Any] | None:
    kind = _TAG_ENTITY[tag.name]
    entity: dict[str, Any] = {"type": kind, "offset": tag.offset, "length": length}
    if kind == "text_link":
        if not tag.argument:
            return None  # Telegram keeps the text and drops a link without href
        entity["url"] = tag.argument
    elif kind == "pre" and tag.argument.startswith("language-"):
        entity["language"] = tag.argument.removeprefix("language-")
    elif kind == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = tag.attrs.get("emoji-id", "")
    return entity


def _strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip surrounding whitespace like Telegram does, shifting and clipping the entities."""
    stripped = text.strip()
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    out = []
    for e in entities:
        start = max(e["offset"] - lead, 0)
        end = min(e["offset"] + e["length"] - lead, size)
        if end > start:
            out.append({**e, "offset": start, "length": end - start})
    return stripped, out


# --------------------------------------------------------------------------------------------
# Faults and flood limits
# --------------------------------------------------------------------------------------------


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


@dataclass(frozen=True, slots=True)
class FloodLimits:
    """Telegram's documented flood limits, enforced with 429 when the fake is told to.

    A private chat gets one message per ``private_interval_s``; a group, supergroup or
    channel (negative id) ``group_per_min`` per minute; all chats together ``global_per_s``
    per second. ``slack_s`` forgives the jitter between a client's clock and arrival times.
    ``time_scale`` shrinks every window alike (0.1: a "minute" lasts 6 s), for fast tests.
    """

    private_interval_s: float = 1.0
    group_per_min: int = 20
    global_per_s: int = 30
    slack_s: float = 0.05
    time_scale: float = 1.0


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Request:
    """One request the fake answered."""

    method: str
    params: dict[str, Any]
    chat_id: int | str | None
    at: float  # time.monotonic() when it arrived
    answered_at: float
    status: int  # the API status (error_code), not the HTTP one, for ok:false answers
    response: dict[str, Any]

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A message the bot sent and the fake accepted, as it now stands (after edits)."""

    chat_id: int | str
    message_id: int
    text: str  # visible text after entity parsing
    raw_text: str  # what the bot sent
    parse_mode: str | None
    entities: tuple[dict[str, Any], ...]
    reply_markup: dict[str, Any] | None
    date: int
    at: float
    edits: int = 0

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The inline keyboard buttons, row by row flattened."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]


class _ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


class FakeTelegram:
    """The fake Bot API. Use as a context manager or call :meth:`start` / :meth:`stop`.

    Fault injection::

        fake.inject(Fault.retry_after(3))                       # next sendMessage: 429
        fake.inject(Fault.blocked(), chat_id=42, times=None)    # every send to chat 42: 403
        fake.inject(Fault.stall(2.0), method="getUpdates")      # next poll answers after 2 s
        fake.delay_s = 0.2                                      # every answer 200 ms late
        fake.inject(Fault.unauthorized(), method=None, times=None)  # the token is rejected
        fake.flood_limits = FloodLimits()                       # 429 when pacing is too fast
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "newsbot_test_bot",
        flood_limits: FloodLimits | None = None,
        strict_entities: bool = True,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.flood_limits = flood_limits
        self.strict_entities = strict_entities
        self.delay_s = 0.0
        self._cond = threading.Condition(threading.RLock())
        self._closing = threading.Event()
        self._requests: list[Request] = []
        self._updates: collections.deque[dict[str, Any]] = collections.deque()
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._open_callbacks: set[str] = set()
        self._messages: dict[tuple[int | str, int], SentMessage] = {}
        self._message_order: list[tuple[int | str, int]] = []
        self._next_message_id: dict[int | str, int] = {}
        self._chats: dict[int | str, dict[str, Any]] = {}
        self._commands: dict[str, list[dict[str, Any]]] = {}
        self._members: dict[tuple[int, int], str] = {}
        self._rules: list[FaultRule] = []
        self._sends: collections.deque[tuple[float, int | str]] = collections.deque()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._waiting_polls = 0
        self._at_gate = 0

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeTelegram:
        """Listen on an ephemeral 127.0.0.1 port and serve in a background thread."""
        if self._server is not None:
            raise RuntimeError("already started")
        self._closing.clear()
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name="fake-telegram",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: wake long polls and stalls, drop open connections, join threads."""
        server = self._server
        if server is None:
            return
        self._closing.set()
        with self._cond:
            self._cond.notify_all()
        server.shutdown()
        with self._cond:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        server.server_close()  # joins the handler threads
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        if self._server is None:
            raise RuntimeError("the fake Telegram server is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def base_url(self) -> str:
        """What to pass as ``Bot(base_url=...)``: PTB appends the token."""
        return f"{self.url}/bot"

    @property
    def bot_id(self) -> int:
        head = self.token.split(":", 1)[0]
        return int(head) if head.isdigit() else 123456

    # -- injecting updates, as subscribers would ---------------------------------------------

    def send_command(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str | None = None,
        anonymous: bool = False,
    ) -> dict[str, Any]:
        """Queue a message update, as if a user wrote ``text`` (e.g. ``"/subscribe x"``).

        A leading ``/command`` (optionally ``@botname``) gets its ``bot_command`` entity, as
        Telegram does. ``chat_type`` defaults to private for positive ids and group otherwise;
        ``"channel"`` makes a ``channel_post`` without a sender. ``anonymous`` writes as an
        anonymous group admin does: from GroupAnonymousBot, with the group as ``sender_chat``.
        """
        chat = self._chat(chat_id, chat_type)
        with self._cond:
            message_id = self._take_message_id(chat_id)
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "text": text,
        }
        if anonymous:
            message["from"] = {
                "id": 1087968824,
                "is_bot": True,
                "first_name": "Group",
                "username": "GroupAnonymousBot",
            }
            message["sender_chat"] = chat
        elif chat["type"] != "channel":
            uid = user_id if user_id is not None else (chat_id if chat_id > 0 else 1000)
            message["from"] = {
                "id": uid,
                "is_bot": False,
                "first_name": f"User{uid}",
                "language_code": "en",
            }
        m = re.match(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?", text)
        if m:
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(m[0])}]
        key = "channel_post" if chat["type"] == "channel" else "message"
        return self.add_update({key: message})

    def press_button(
        self,
        chat_id: int,
        callback_data: str,
        message_id: int,
        *,
        user_id: int | None = None,
    ) -> dict[str, Any]:
        """Queue a ``callback_query`` update, as if a user pressed an inline button."""
        chat = self._chat(chat_id, None)
        with self._cond:
            sent = self._messages.get((chat_id, message_id))
            query_id = str(next(self._callback_ids))
            self._open_callbacks.add(query_id)
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": sent.date if sent else int(time.time()),
            "chat": chat,
            "text": sent.text if sent else "",
            "from": self._bot_user(),
        }
        if sent is not None:
            if sent.entities:
                message["entities"] = list(sent.entities)
            if sent.reply_markup:
                message["reply_markup"] = sent.reply_markup
        uid = user_id if user_id is not None else (chat_id if chat_id > 0 else 1000)
        query = {
            "id": query_id,
            "from": {"id": uid, "is_bot": False, "first_name": f"User{uid}"},
            "message": message,
            "chat_instance": str(abs(chat_id)),
            "data": callback_data,
        }
        return self.add_update({"callback_query": query})

    def add_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue any update (``update_id`` is assigned); returns it."""
        with self._cond:
            full = {"update_id": next(self._update_ids), **update}
            self._updates.append(full)
            self._cond.notify_all()
        return full

    @property
    def waiting_polls(self) -> int:
        """How many getUpdates calls are blocked in a long poll right now."""
        with self._cond:
            return self._waiting_polls

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates queued and not yet confirmed by an ``offset``."""
        with self._cond:
            return list(self._updates)

    # -- chat members ------------------------------------------------------------------------

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        """What ``getChatMember`` says of a user in a chat: ``creator``, ``administrator``,
        ``member``, ``restricted``, ``left`` or ``kicked`` (unknown pairs are ``member``)."""
        with self._cond:
            self._members[(chat_id, user_id)] = status

    def _chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, user_id = _as_int(params.get("chat_id"), 0), _as_int(params.get("user_id"), 0)
        if not chat_id or not user_id:
            raise _ApiError(400, "Bad Request: chat_id and user_id are required")
        with self._cond:
            status = self._members.get((chat_id, user_id), "member")
        member: dict[str, Any] = {
            "status": status,
            "user": {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"},
        }
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(dict.fromkeys(_ADMIN_RIGHTS, False))
        elif status == "restricted":
            member.update(dict.fromkeys(_MEMBER_RIGHTS, True), until_date=0)
        elif status == "kicked":
            member["until_date"] = 0
        return member

    # -- fault injection ---------------------------------------------------------------------

    def inject(
        self,
        fault: Fault,
        *,
        method: str | None = "sendMessage",
        chat_id: int | str | None = None,
        times: int | None = 1,
    ) -> FaultRule:
        """Answer ``fault`` to the next ``times`` calls (None: forever) of ``method``.

        ``method=None`` matches every method; ``chat_id`` restricts the rule to one chat.
        """
        rule = FaultRule(fault, method, chat_id, times)
        with self._cond:
            self._rules.append(rule)
        return rule

    def clear_faults(self) -> None:
        """Forget every fault rule."""
        with self._cond:
            self._rules.clear()

    # -- recordings --------------------------------------------------------------------------

    @property
    def requests(self) -> list[Request]:
        """Every answered request, in the order they were answered."""
        with self._cond:
            return list(self._requests)

    def calls(self, method: str, chat_id: int | str | None = None) -> list[Request]:
        """The recorded requests to ``method`` (optionally for one chat)."""
        with self._cond:
            return [
                r
                for r in self._requests
                if r.method.lower() == method.lower() and (chat_id is None or r.chat_id == chat_id)
            ]

    def sent_messages(self, chat_id: int | str | None = None) -> list[SentMessage]:
        """Messages accepted, in sending order, as they now stand (after edits)."""
        with self._cond:
            keys = [k for k in self._message_order if chat_id is None or k[0] == chat_id]
            return [self._messages[k] for k in keys]

    def commands(self, scope: str = "default", language_code: str = "") -> list[dict[str, Any]]:
        """The commands set with setMyCommands for a scope type and language."""
        with self._cond:
            return list(self._commands.get(f"{scope}|{language_code}", []))

    def wait_for(self, predicate: Callable[[FakeTelegram], T], timeout: float = 5.0) -> T:
        """Block until ``predicate(fake)`` is truthy and return its value; TimeoutError if not.

        Woken on every recorded request and queued update, never by polling.
        """
        with self._cond:
            result = self._cond.wait_for(lambda: predicate(self), timeout)
        if not result:
            raise TimeoutError(f"fake Telegram: condition not met within {timeout} s")
        return result

    async def wait_for_async(
        self, predicate: Callable[[FakeTelegram], T], timeout: float = 5.0
    ) -> T:
        """:meth:`wait_for` without blocking the running event loop."""
        return await asyncio.to_thread(self.wait_for, predicate, timeout)

    # -- request handling (called from handler threads) --------------------------------------

    def _handle(
        self, method: str, params: dict[str, Any], arrived: float, path: str = ""
    ) -> tuple[int, bytes, Fault | None]:
        chat_id = params.get("chat_id")
        with self._cond:
            fault = next((rule for rule in self._rules if rule.matches(method, chat_id)), None)
            if fault is not None:
                fault.used += 1
        delay = self.delay_s + (fault.fault.delay_s if fault else 0.0)
        if delay > 0 and self._closing.wait(delay):
            return 503, b"", None  # shutting down: the client sees a broken connection anyway
        gate = fault.fault.gate if fault is not None else None
        if gate is not None and not self._wait_at_gate(gate):
            return 503, b"", None
        if fault is not None and (fault.fault.raw_body is not None or fault.fault.reset):
            self._record(method, params, arrived, fault.fault.http_status or 0, {"ok": False})
            return fault.fault.http_status or 0, fault.fault.raw_body or b"", fault.fault
        try:
            if fault is not None and fault.fault.status is not None:
                f = fault.fault
                description = f"{f.description}: {path}" if f.echo_url else f.description
                raise _ApiError(f.status, description, f.parameters)  # type: ignore[arg-type]
            result = self._dispatch(method, params)
            response: dict[str, Any] = {"ok": True, "result": result}
            status = http_status = 200
        except _ApiError as err:
            response = {"ok": False, "error_code": err.status, "description": err.description}
            if err.parameters:
                response["parameters"] = err.parameters
            status = err.status
            http_status = status
            if fault is not None and fault.fault.http_status is not None:
                http_status = fault.fault.http_status
        self._record(method, params, arrived, status, response)
        return http_status, json.dumps(response, ensure_ascii=False).encode("utf-8"), None

    @property
    def at_gate(self) -> int:
        """How many requests wait at a :meth:`Fault.gated` gate right now."""
        with self._cond:
            return self._at_gate

    def _wait_at_gate(self, gate: threading.Event) -> bool:
        with self._cond:
            self._at_gate += 1
            self._cond.notify_all()
        try:
            while not gate.wait(0.05):
                if self._closing.is_set():
                    return False
            return True
        finally:
            with self._cond:
                self._at_gate -= 1
                self._cond.notify_all()

    def _record(
        self,
        method: str,
        params: dict[str, Any],
        arrived: float,
        status: int,
        response: dict[str, Any],
    ) -> None:
        record = Request(
            method=method,
            params=params,
            chat_id=params.get("chat_id"),
            at=arrived,
            answered_at=time.monotonic(),
            status=status,
            response=response,
        )
        with self._cond:
            self._requests.append(record)
            self._cond.notify_all()

    def _dispatch(self, method: str, params: dict[str, Any]) -> Any:
        name = method.lower()
        if name == "getme":
            return self._bot_user(full=True)
        if name == "getupdates":
            return self._get_updates(params)
        if name == "sendmessage":
            return self._send_message(params)
        if name == "editmessagetext":
            return self._edit_message_text(params)
        if name == "getchatmember":
            return self._chat_member(params)
        if name == "answercallbackquery":
            query_id = str(params.get("callback_query_id", ""))
            with self._cond:
                if query_id not in self._open_callbacks:
                    raise _ApiError(
                        400,
                        "Bad Request: query is too old and response timeout expired or "
                        "query ID is invalid",
                    )
                self._open_callbacks.discard(query_id)
            return True
        if name == "setmycommands":
            commands = params.get("commands")
            if not isinstance(commands, list):
                raise _ApiError(400, 'Bad Request: parameter "commands" is required')
            with self._cond:
                self._commands[self._commands_key(params)] = commands
            return True
        if name == "getmycommands":
            with self._cond:
                return list(self._commands.get(self._commands_key(params), []))
        if name == "deletemycommands":
            with self._cond:
                self._commands.pop(self._commands_key(params), None)
            return True
        if name == "getwebhookinfo":
            with self._cond:
                pending = len(self._updates)
            return {"url": "", "has_custom_certificate": False, "pending_update_count": pending}
        if name in ("deletewebhook", "close", "logout", "setwebhook"):
            if name == "deletewebhook" and _truthy(params.get("drop_pending_updates")):
                with self._cond:
                    self._updates.clear()
            return True
        if name in _SEND_METHODS:
            return self._store_message(
                params.get("chat_id"),
                str(params.get("caption", "")),
                str(params.get("caption", "")),
                None,
                [],
                params,
            )
        return True

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = _as_int(params.get("offset"), 0)
        limit = max(1, min(_as_int(params.get("limit"), 100), 100))
        timeout = max(0.0, float(params.get("timeout") or 0))
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                while self._updates and self._updates[0]["update_id"] < offset:
                    self._updates.popleft()  # confirmed
                if self._updates or self._closing.is_set():
                    return list(itertools.islice(self._updates, limit))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self._waiting_polls += 1
                self._cond.notify_all()
                try:
                    self._cond.wait(remaining)
                finally:
                    self._waiting_polls -= 1

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        raw = params.get("text")
        if raw is None or raw == "":
            raise _ApiError(400, "Bad Request: message text is empty")
        text, entities = self._parse_text(str(raw), params)
        return self._store_message(
            chat_id, text, str(raw), params.get("parse_mode"), entities, params
        )

    def _parse_text(self, raw: str, params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        mode = str(params.get("parse_mode") or "")
        if mode.lower() == "html":
            try:
                text, entities = parse_html(raw, strict_entities=self.strict_entities)
            except EntityParseError as err:
                raise _ApiError(400, f"Bad Request: can't parse entities: {err}") from err
        elif mode:
            text, entities = raw, []  # Markdown is not modelled: taken as plain text
        else:
            text = raw
            given = params.get("entities")
            entities = list(given) if isinstance(given, list) else []
        text, entities = _strip_text(text, entities)
        if not text:
            raise _ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise _ApiError(400, "Bad Request: message is too long")
        return text, entities

    def _store_message(
        self,
        chat_id: Any,
        text: str,
        raw: str,
        parse_mode: Any,
        entities: list[dict[str, Any]],
        params: dict[str, Any],
    ) -> dict[str, Any]:
        if chat_id is None or chat_id == "":
            raise _ApiError(400, "Bad Request: chat_id is empty")
        if not isinstance(chat_id, int):
            raise _ApiError(400, "Bad Request: chat not found")
        chat = self._chat(chat_id, None)
        now = time.monotonic()
        markup = params.get("reply_markup")
        with self._cond:
            self._check_flood(chat_id, now)
            message_id = self._take_message_id(chat_id)
            sent = SentMessage(
                chat_id=chat_id,
                message_id=message_id,
                text=text,
                raw_text=raw,
                parse_mode=str(parse_mode) if parse_mode else None,
                entities=tuple(entities),
                reply_markup=markup if isinstance(markup, dict) else None,
                date=int(time.time()),
                at=now,
            )
            self._messages[(chat_id, message_id)] = sent
            self._message_order.append((chat_id, message_id))
            self._sends.append((now, chat_id))
        return self._message_json(sent, chat)

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        chat_id = params.get("chat_id")
        message_id = _as_int(params.get("message_id"), 0)
        raw = params.get("text")
        if raw is None or raw == "":
            raise _ApiError(400, "Bad Request: message text is empty")
        text, entities = self._parse_text(str(raw), params)
        markup = params.get("reply_markup")
        with self._cond:
            old = self._messages.get((chat_id, message_id))  # type: ignore[arg-type]
            if old is None:
                raise _ApiError(400, "Bad Request: message to edit not found")
            new_markup = markup if isinstance(markup, dict) else None
            if (
                old.text == text
                and old.entities == tuple(entities)
                and (old.reply_markup == new_markup)
            ):
                raise _ApiError(
                    400,
                    "Bad Request: message is not modified: specified new message content and "
                    "reply markup are exactly the same as a current content and reply markup "
                    "of the message",
                )
            new = dataclasses.replace(
                old,
                text=text,
                raw_text=str(raw),
                parse_mode=str(params["parse_mode"]) if params.get("parse_mode") else None,
                entities=tuple(entities),
                reply_markup=new_markup,
                edits=old.edits + 1,
            )
            self._messages[(old.chat_id, message_id)] = new
        out = self._message_json(new, self._chat(old.chat_id, None))
        out["edit_date"] = int(time.time())
        return out

    def _check_flood(self, chat_id: int | str, now: float) -> None:
        limits = self.flood_limits
        if limits is None:
            return
        scale = limits.time_scale
        while self._sends and self._sends[0][0] < now - 60 * scale:
            self._sends.popleft()
        slack = limits.slack_s
        second, minute = 1.0 * scale, 60.0 * scale
        recent = [t for t, _ in self._sends if t > now - (second - slack)]
        if len(recent) >= limits.global_per_s:
            raise _flood(second - (now - recent[0]))
        mine = [t for t, c in self._sends if c == chat_id]
        interval = limits.private_interval_s * scale
        if isinstance(chat_id, int) and chat_id > 0:
            if mine and now - mine[-1] < interval - slack:
                raise _flood(interval - (now - mine[-1]))
        else:
            window = [t for t in mine if t > now - (minute - slack)]
            if len(window) >= limits.group_per_min:
                raise _flood(minute - (now - window[0]))

    # -- helpers -----------------------------------------------------------------------------

    def _take_message_id(self, chat_id: int | str) -> int:
        next_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = next_id + 1
        return next_id

    def _chat(self, chat_id: int | str, chat_type: str | None) -> dict[str, Any]:
        with self._cond:
            known = self._chats.get(chat_id)
            if known is not None and (chat_type is None or known["type"] == chat_type):
                return known
            if chat_type is None:
                if isinstance(chat_id, str):
                    chat_type = "channel"
                elif chat_id > 0:
                    chat_type = "private"
                elif chat_id < -1_000_000_000_000:  # -100… ids are supergroups
                    chat_type = "supergroup"
                else:
                    chat_type = "group"
            chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
            if chat_type == "private":
                chat["first_name"] = f"User{chat_id}"
            else:
                chat["title"] = f"Chat {chat_id}"
            self._chats[chat_id] = chat
            return chat

    def _bot_user(self, *, full: bool = False) -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Newsbot Test",
            "username": self.bot_username,
        }
        if full:
            user.update(
                can_join_groups=True,
                can_read_all_group_messages=False,
                supports_inline_queries=False,
            )
        return user

    def _message_json(self, sent: SentMessage, chat: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "message_id": sent.message_id,
            "from": self._bot_user(),
            "chat": chat,
            "date": sent.date,
            "text": sent.text,
        }
        if sent.entities:
            out["entities"] = list(sent.entities)
        if sent.reply_markup:
            out["reply_markup"] = sent.reply_markup
        return out

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> str:
        scope = params.get("scope")
        scope_type = scope.get("type", "default") if isinstance(scope, dict) else "default"
        return f"{scope_type}|{params.get('language_code') or ''}"

    def _track(self, conn: socket.socket, alive: bool) -> None:
        with self._cond:
            if alive:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)


def _flood(retry_after: float) -> _ApiError:
    seconds = max(1, int(retry_after + 0.999))
    return _ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


# The fields getChatMember returns for an administrator and for a restricted member.
_ADMIN_RIGHTS = (
    "can_be_edited",
    "is_anonymous",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)
_MEMBER_RIGHTS = (
    "is_member",
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
)


def _as_int(value: Any, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _decode_param(name: str, value: str) -> Any:
    """Form values arrive as strings; PTB JSON-encodes everything that is not a str."""
    if name in _TEXT_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True
    fake: FakeTelegram

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away mid-answer (timeouts, stalls) is expected here


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 60

    def setup(self) -> None:
        super().setup()
        self.server.fake._track(self.connection, True)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        self.server.fake._track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        arrived = time.monotonic()
        fake = self.server.fake
        parts = urlsplit(self.path)
        m = re.fullmatch(r"/bot([^/]*)/([A-Za-z]+)/?", parts.path)
        if m is None:
            self._answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        if m[1] != fake.token:
            self._answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        try:
            params = self._read_params(parts.query)
        except ValueError as err:
            description = f"Bad Request: {err}"
            self._answer(400, {"ok": False, "error_code": 400, "description": description})
            return
        status, body, fault = fake._handle(m[2], params, arrived, self.path)
        if fault is not None and fault.reset:
            self.close_connection = True
            with contextlib.suppress(OSError):  # RST, not FIN: "connection reset by peer"
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.connection.close()
            return
        self._answer_raw(status, body, fault.content_type if fault else "application/json")

    def _read_params(self, query: str) -> dict[str, Any]:
        params: dict[str, Any] = {k: _decode_param(k, v) for k, v in parse_qsl(query)}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if not body:
            return params
        ctype = self.headers.get("Content-Type", "")
        if ctype.startswith("application/json"):
            data = json.loads(body)
            if not isinstance(data, dict):
                raise ValueError("JSON body must be an object")
            params.update(data)
        elif ctype.startswith("multipart/form-data"):
            head = f"Content-Type: {ctype}\r\nMIME-Version: 1.0\r\n\r\n".encode()
            msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if not isinstance(name, str):
                    continue
                payload = part.get_payload(decode=True)
                if not isinstance(payload, bytes):
                    payload = b""
                if part.get_filename():
                    params[name] = {"filename": part.get_filename(), "size": len(payload)}
                else:
                    params[name] = _decode_param(name, payload.decode("utf-8", "replace"))
        else:
            text = body.decode("utf-8", "replace")
            params.update(
                {k: _decode_param(k, v) for k, v in parse_qsl(text, keep_blank_values=True)}
            )
        return params

    def _answer(self, status: int, payload: dict[str, Any]) -> None:
        self._answer_raw(status, json.dumps(payload).encode("utf-8"))

    def _answer_raw(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        try:
            self.send_response(status, HTTPStatus(status).phrase if status in _PHRASES else "")
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            self.close_connection = True


_PHRASES = {s.value for s in HTTPStatus}


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    """A started fake Bot API server, stopped after the test (import it into a test module)."""
    with FakeTelegram() as fake:
        yield fake
