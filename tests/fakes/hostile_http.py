"""A hostile HTTP server on 127.0.0.1 for fault tests: it speaks raw sockets, so it can do what a
polite server never does: trickle a body one byte at a time, send headers slowly, stream a
chunked body that never ends, promise more bytes than it sends, answer with a broken gzip stream
or with bytes that are not HTTP at all.

Each path is a *behaviour* (``server.route(path, behaviour)``); the helpers below build the
common ones. Every loop ends when the client hangs up, when the server stops, or after
``max_s`` seconds, so a test can never leave a thread spinning.
"""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

Behaviour = Callable[["Conn"], None]


@dataclass
class Conn:
    """One accepted connection: the socket, the request path and the server's stop flag."""

    sock: socket.socket
    path: str
    stop: threading.Event
    max_s: float

    def send(self, data: bytes) -> bool:
        """Send ``data``; False once the client is gone."""
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def drip(self, data: bytes, every_s: float) -> None:
        """Send ``data`` one byte every ``every_s`` seconds (bounded by ``max_s`` and stop)."""
        ends = time.monotonic() + self.max_s
        for i in range(len(data)):
            if self.stop.wait(every_s) or time.monotonic() > ends:
                return
            if not self.send(data[i : i + 1]):
                return


class HostileServer:
    """``with HostileServer() as bad:`` then ``bad.route("/x", trickle_body(...))``."""

    def __init__(self, *, max_s: float = 30.0) -> None:
        self.routes: dict[str, Behaviour] = {}
        self.paths: list[str] = []
        self.stop = threading.Event()
        self.max_s = max_s
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                server._handle(self.request)

        self._tcp = _Server(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self._tcp.server_address[1]}"
        self._thread = threading.Thread(
            target=self._tcp.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._tcp.shutdown()
        self._tcp.server_close()

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def route(self, path: str, behaviour: Behaviour) -> str:
        self.routes[path] = behaviour
        return self.url(path)

    def hits(self, path: str) -> int:
        return self.paths.count(path)

    def _handle(self, sock: socket.socket) -> None:
        sock.settimeout(self.max_s)
        head = b""
        try:
            while b"\r\n\r\n" not in head and len(head) < 65536:
                piece = sock.recv(4096)
                if not piece:
                    return
                head += piece
        except OSError:
            return
        parts = head.split(b"\r\n", 1)[0].split()
        path = parts[1].decode("latin-1") if len(parts) > 1 else "/"
        self.paths.append(path)
        behaviour = self.routes.get(path, not_found)
        behaviour(Conn(sock, path, self.stop, self.max_s))


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hung up mid-answer is the point of these tests


def _head(status: str, headers: dict[str, str]) -> bytes:
    headers = {"Connection": "close"} | headers  # one request per connection
    lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    return "\r\n".join(lines).encode("latin-1")


def not_found(conn: Conn) -> None:
    conn.send(_head("404 Not Found", {"Content-Length": "0", "Connection": "close"}))


def answer(
    body: bytes,
    *,
    status: str = "200 OK",
    content_type: str = "text/html; charset=utf-8",
    headers: dict[str, str] | None = None,
) -> Behaviour:
    """A well-formed answer (for robots.txt and control pages)."""

    def behave(conn: Conn) -> None:
        fields = {"Content-Type": content_type, "Content-Length": str(len(body))}
        conn.send(_head(status, fields | (headers or {})) + body)

    return behave


def trickle_body(size: int = 10_000, every_s: float = 0.2) -> Behaviour:
    """Honest headers, then the body one byte every ``every_s`` seconds."""

    def behave(conn: Conn) -> None:
        fields = {"Content-Type": "text/html", "Content-Length": str(size)}
        if conn.send(_head("200 OK", fields)):
            conn.drip(b"<p>" + b"x" * (size - 3), every_s)

    return behave


def slow_headers(every_s: float = 0.2) -> Behaviour:
    """The status line and headers one byte every ``every_s`` seconds, with many headers."""
    head = _head("200 OK", {f"X-Filler-{i}": "y" * 20 for i in range(200)})

    def behave(conn: Conn) -> None:
        conn.drip(head, every_s)

    return behave


def endless_chunked(every_s: float = 0.05) -> Behaviour:
    """A chunked body whose chunks keep coming, small enough never to reach a size cap."""

    def behave(conn: Conn) -> None:
        fields = {"Content-Type": "text/html", "Transfer-Encoding": "chunked"}
        if not conn.send(_head("200 OK", fields)):
            return
        ends = time.monotonic() + conn.max_s
        while not conn.stop.wait(every_s) and time.monotonic() < ends:
            if not conn.send(b"1\r\nx\r\n"):
                return

    return behave


def short_body(promised: int = 1000, sent: bytes = b"<p>only this</p>") -> Behaviour:
    """Content-Length promises ``promised`` bytes; fewer are sent and the connection closes."""

    def behave(conn: Conn) -> None:
        fields = {"Content-Type": "text/html", "Content-Length": str(promised)}
        conn.send(_head("200 OK", fields) + sent)
        conn.sock.shutdown(socket.SHUT_RDWR)

    return behave


def raw(data: bytes) -> Behaviour:
    """Exactly ``data`` on the wire (not HTTP, a broken status line, …), then close."""

    def behave(conn: Conn) -> None:
        conn.send(data)
        conn.sock.shutdown(socket.SHUT_RDWR)

    return behave


def redirect(location: str, status: str = "302 Found") -> Behaviour:
    return answer(b"", status=status, headers={"Location": location})
