"""A local news site on 127.0.0.1 for tests: serves pages and feeds, records every request,
and misbehaves on demand (status codes, stalls, wrong content types)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass
class Route:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    stall_s: float = 0.0


@dataclass(frozen=True)
class SeenRequest:
    method: str
    path: str
    headers: dict[str, str]
    at: float


class NewsServer:
    """Start with ``with NewsServer() as news:``; add pages with ``news.page(path, html)``."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[SeenRequest] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server._serve(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> NewsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def page(self, path: str, html: str | bytes, **route: Any) -> str:
        body = html.encode("utf-8") if isinstance(html, str) else html
        self.routes[path] = Route(body=body, **route)
        return self.url(path)

    def page_file(self, path: str, file: Path, **route: Any) -> str:
        return self.page(path, file.read_bytes(), **route)

    def rss(self, path: str, links: list[str], title: str = "Test feed") -> str:
        now = format_datetime(datetime.now(UTC))
        items = "".join(
            f"<item><title>{escape(link)}</title><link>{escape(self.url(link))}</link>"
            f"<guid>{escape(self.url(link))}</guid><pubDate>{now}</pubDate></item>"
            for link in links
        )
        xml = (
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{escape(title)}</title><link>{self.base}/</link>"
            f"<description>t</description>{items}</channel></rss>"
        )
        return self.page(path, xml, content_type="application/rss+xml; charset=utf-8")

    def hits(self, path: str) -> int:
        with self._lock:
            return sum(1 for r in self.requests if r.path == path)

    def wait_for(self, predicate: Callable[[NewsServer], bool], timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
            return True

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        with self._changed:
            self.requests.append(
                SeenRequest("GET", path, dict(handler.headers.items()), time.monotonic())
            )
            self._changed.notify_all()
            route = self.routes.get(path)
        if route is None:
            route = Route(body=b"not found", content_type="text/plain", status=404)
        if route.stall_s:
            time.sleep(route.stall_s)  # a deliberately slow server, not a test waiting
        handler.send_response(route.status)
        handler.send_header("Content-Type", route.content_type)
        handler.send_header("Content-Length", str(len(route.body)))
        for key, value in route.headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            handler.wfile.write(route.body)
