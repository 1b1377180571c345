"""The HTTP side of the fake Bot API: a threading server on 127.0.0.1 and its request handler.

The handler checks the ``/bot<token>/<method>`` path, reads the parameters the way Telegram
does (query string, form-urlencoded with JSON-encoded complex values, a JSON body, multipart
uploads), hands them to :meth:`FakeTelegram.answer` and writes what it returns, or resets the
connection when the fault says so.
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import json
import re
import socket
import struct
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

if TYPE_CHECKING:
    from tests.fakes.telegram_api import FakeTelegram

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


def _decode_param(name: str, value: str) -> Any:
    """Form values arrive as strings; PTB JSON-encodes everything that is not a str."""
    if name in _TEXT_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


class Server(ThreadingHTTPServer):
    """The threading HTTP server of one :class:`FakeTelegram` (its ``start`` runs it)."""

    daemon_threads = False
    block_on_close = True
    fake: FakeTelegram

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away mid-answer (timeouts, stalls) is expected here


class Handler(BaseHTTPRequestHandler):
    """One connection: route ``/bot<token>/<method>``, read the parameters, write the answer."""

    protocol_version = "HTTP/1.1"
    server: Server
    timeout = 60

    def setup(self) -> None:
        super().setup()
        self.server.fake.track_connection(self.connection, True)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        self.server.fake.track_connection(self.connection, False)

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
        status, body, fault = fake.answer(m[2], params, arrived, self.path)
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
