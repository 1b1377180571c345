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

This module holds the API's state and methods (:class:`FakeTelegram`); the rest is split by
concern, and re-exported here so ``from tests.fakes.telegram_api import ...`` keeps working:

* ``telegram_html``: Telegram's HTML parse mode (:func:`parse_html`, :data:`MAX_TEXT_LENGTH`);
* ``telegram_faults``: the fault model (:class:`Fault`, :class:`FaultRule`, ``ApiError``);
* ``telegram_flood``: the flood limits (:class:`FloodLimits`, ``FloodWindow``);
* ``telegram_http``: the HTTP server and request parsing;
* ``telegram_objects``: the Bot API's JSON objects (chats, messages, members) and records;
* ``waiting``: ``wait_for`` as every fake does it (a value, or ``TimeoutError``).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import itertools
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any, TypeVar

import pytest

from tests.fakes.telegram_faults import ApiError, Fault, FaultRule
from tests.fakes.telegram_flood import FloodLimits, FloodWindow
from tests.fakes.telegram_html import MAX_TEXT_LENGTH, EntityParseError, parse_html, strip_text
from tests.fakes.telegram_http import Server
from tests.fakes.telegram_objects import (
    Request,
    SentMessage,
    bot_user,
    callback_query,
    chat_member,
    message_json,
    new_chat,
    user_message,
)
from tests.fakes.waiting import wait_on

__all__ = [
    "DEFAULT_TOKEN",
    "MAX_TEXT_LENGTH",
    "EntityParseError",
    "FakeTelegram",
    "Fault",
    "FaultRule",
    "FloodLimits",
    "Request",
    "SentMessage",
    "fake_telegram",
    "parse_html",
    "strip_text",
]

T = TypeVar("T")

DEFAULT_TOKEN = "123456:TEST-newsbot-fake-token"

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
        self._flood = FloodWindow()
        self._server: Server | None = None
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
        server = Server(("127.0.0.1", 0))
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
        message = user_message(chat, message_id, text, user_id=user_id, anonymous=anonymous)
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
        query = callback_query(
            query_id, chat, message_id, sent, callback_data, self._bot_user(), user_id=user_id
        )
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
            raise ApiError(400, "Bad Request: chat_id and user_id are required")
        with self._cond:
            status = self._members.get((chat_id, user_id), "member")
        return chat_member(user_id, status)

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
        return wait_on(self._cond, lambda: predicate(self), timeout, "fake Telegram")

    async def wait_for_async(
        self, predicate: Callable[[FakeTelegram], T], timeout: float = 5.0
    ) -> T:
        """:meth:`wait_for` without blocking the running event loop."""
        return await asyncio.to_thread(self.wait_for, predicate, timeout)

    # -- request handling (called from handler threads) --------------------------------------

    def answer(
        self, method: str, params: dict[str, Any], arrived: float, path: str = ""
    ) -> tuple[int, bytes, Fault | None]:
        """The HTTP status, body and fault (if it changes the wire) for one API call."""
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
                raise ApiError(f.status, description, f.parameters)  # type: ignore[arg-type]
            result = self._dispatch(method, params)
            response: dict[str, Any] = {"ok": True, "result": result}
            status = http_status = 200
        except ApiError as err:
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
                    raise ApiError(
                        400,
                        "Bad Request: query is too old and response timeout expired or "
                        "query ID is invalid",
                    )
                self._open_callbacks.discard(query_id)
            return True
        if name == "setmycommands":
            commands = params.get("commands")
            if not isinstance(commands, list):
                raise ApiError(400, 'Bad Request: parameter "commands" is required')
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
            raise ApiError(400, "Bad Request: message text is empty")
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
                raise ApiError(400, f"Bad Request: can't parse entities: {err}") from err
        elif mode:
            text, entities = raw, []  # Markdown is not modelled: taken as plain text
        else:
            text = raw
            given = params.get("entities")
            entities = list(given) if isinstance(given, list) else []
        text, entities = strip_text(text, entities)
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
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
            raise ApiError(400, "Bad Request: chat_id is empty")
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        chat = self._chat(chat_id, None)
        now = time.monotonic()
        markup = params.get("reply_markup")
        with self._cond:
            self._flood.check(self.flood_limits, chat_id, now)
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
            self._flood.record(chat_id, now)
        return self._message_json(sent, chat)

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        chat_id = params.get("chat_id")
        message_id = _as_int(params.get("message_id"), 0)
        raw = params.get("text")
        if raw is None or raw == "":
            raise ApiError(400, "Bad Request: message text is empty")
        text, entities = self._parse_text(str(raw), params)
        markup = params.get("reply_markup")
        with self._cond:
            old = self._messages.get((chat_id, message_id))  # type: ignore[arg-type]
            if old is None:
                raise ApiError(400, "Bad Request: message to edit not found")
            new_markup = markup if isinstance(markup, dict) else None
            if (
                old.text == text
                and old.entities == tuple(entities)
                and (old.reply_markup == new_markup)
            ):
                raise ApiError(
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
            chat = new_chat(chat_id, chat_type)
            self._chats[chat_id] = chat
            return chat

    def _bot_user(self, *, full: bool = False) -> dict[str, Any]:
        return bot_user(self.bot_id, self.bot_username, full=full)

    def _message_json(self, sent: SentMessage, chat: dict[str, Any]) -> dict[str, Any]:
        return message_json(sent, chat, self._bot_user())

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> str:
        scope = params.get("scope")
        scope_type = scope.get("type", "default") if isinstance(scope, dict) else "default"
        return f"{scope_type}|{params.get('language_code') or ''}"

    def track_connection(self, conn: socket.socket, alive: bool) -> None:
        """Note an open (``alive``) or closed connection, so :meth:`stop` can drop it."""
        with self._cond:
            if alive:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _as_int(value: Any, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    """A started fake Bot API server, stopped after the test (import it into a test module)."""
    with FakeTelegram() as fake:
        yield fake
