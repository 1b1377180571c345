"""A local news site on 127.0.0.1 for tests: serves pages, feeds in every format, section pages,
sitemaps and robots.txt; records every request; and misbehaves on demand (status codes,
Retry-After, stalls, redirect loops, wrong charsets, oversized and gzip-bomb bodies).

Conditional requests work like a real site's: a route with ``validators=True`` sends an ETag
and Last-Modified and answers 304 to a request that presents them.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

from tests.fakes.waiting import wait_on

T = TypeVar("T")

LAST_MODIFIED = "Wed, 01 Jan 2025 00:00:00 GMT"


@dataclass
class Route:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    stall_s: float = 0.0
    validators: bool = False  # send ETag / Last-Modified and answer 304 when they match
    gzip: bool = False  # body is sent gzip-compressed (Content-Encoding: gzip)
    then: list[Route] = field(default_factory=list)  # answers for the following requests


@dataclass
class SeenRequest:
    method: str
    path: str
    headers: dict[str, str]
    at: float
    status: int = 0
    done_at: float = 0.0


@dataclass(frozen=True)
class Entry:
    """One feed, sitemap or section item: a path on this server, a title and a date."""

    path: str
    title: str = ""
    published: datetime | None = None
    guid: str | None = None


class NewsServer:
    """Start with ``with NewsServer() as news:``; add pages with ``news.page(path, html)``."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[SeenRequest] = []
        self.in_flight = 0
        self.peak_in_flight = 0
        self._served: dict[str, int] = {}
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server._serve(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.request_queue_size = 256
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> NewsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    # -- content ---------------------------------------------------------------------------

    def page(self, path: str, html: str | bytes, **route: Any) -> str:
        body = html.encode("utf-8") if isinstance(html, str) else html
        self.routes[path] = Route(body=body, **route)
        return self.url(path)

    def page_file(self, path: str, file: Path, **route: Any) -> str:
        data = file.read_bytes()
        if file.suffix == ".gz":
            data = gzip.decompress(data)
        return self.page(path, data, **route)

    def robots(self, text: str) -> str:
        return self.page("/robots.txt", text, content_type="text/plain")

    def rss(self, path: str, links: list[str], title: str = "Test feed", **route: Any) -> str:
        now = datetime.now(UTC)
        return self.feed(path, [Entry(link, link, now) for link in links], "rss2", title, **route)

    def feed(
        self,
        path: str,
        entries: Sequence[Entry],
        format: str = "rss2",
        title: str = "Test feed",
        **route: Any,
    ) -> str:
        """A feed of ``entries`` as rss090, rss1 (RDF), rss2, atom or json (JSON Feed 1.1)."""
        body, content_type = _FORMATS[format](self, entries, title)
        route.setdefault("content_type", content_type)
        return self.page(path, body, **route)

    def section(self, path: str, links: Sequence[str], title: str = "World", **route: Any) -> str:
        """A section front: site navigation, article teasers linking to ``links``, a footer."""
        teasers = "".join(
            f'<article class="teaser"><h2><a href="{escape(link)}">Story {i}</a></h2>'
            f"<p>Teaser text {i}.</p></article>"
            for i, link in enumerate(links)
        )
        html = (
            f"<!doctype html><html><head><title>{escape(title)}</title></head><body>"
            '<nav><a href="/">Home</a> <a href="/world/">World</a> <a href="/sport/">Sport</a>'
            ' <a href="/tag/politics">Politics</a> <a href="/login">Log in</a>'
            ' <a href="https://social.example.net/newsbot">Follow us</a></nav>'
            f'<main class="river">{teasers}</main>'
            '<footer><a href="/about-us">About us</a> <a href="/privacy-policy">Privacy</a>'
            ' <a href="/contact">Contact</a> <a href="/feed.xml">RSS</a></footer>'
            "</body></html>"
        )
        return self.page(path, html, **route)

    def sitemap(self, path: str, entries: Sequence[Entry], *, news: bool = True, **r: Any) -> str:
        """A (Google News) sitemap: loc, lastmod and news:publication_date per entry."""
        urls = []
        for entry in entries:
            stamp = entry.published.isoformat() if entry.published else None
            lastmod = f"<lastmod>{stamp}</lastmod>" if stamp else ""
            extra = ""
            if news and stamp:
                extra = (
                    "<news:news><news:publication><news:name>Test</news:name>"
                    "<news:language>en</news:language></news:publication>"
                    f"<news:publication_date>{stamp}</news:publication_date>"
                    f"<news:title>{escape(entry.title)}</news:title></news:news>"
                )
            urls.append(f"<url><loc>{escape(self.url(entry.path))}</loc>{lastmod}{extra}</url>")
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
            + "".join(urls)
            + "</urlset>"
        )
        r.setdefault("content_type", "application/xml")
        return self.page(path, xml, **r)

    def sitemap_index(self, path: str, children: Sequence[Entry], **r: Any) -> str:
        items = "".join(
            f"<sitemap><loc>{escape(self.url(c.path))}</loc>"
            + (f"<lastmod>{c.published.isoformat()}</lastmod>" if c.published else "")
            + "</sitemap>"
            for c in children
        )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}'
            "</sitemapindex>"
        )
        r.setdefault("content_type", "application/xml")
        return self.page(path, xml, **r)

    def gzip_bomb(self, path: str, inflated_bytes: int) -> str:
        """A small gzip body that inflates to ``inflated_bytes`` of spaces."""
        raw = b"<html><body>" + b" " * inflated_bytes
        return self.page(path, gzip.compress(raw, 9), gzip=False, headers=_GZIP)

    # -- what the server saw ---------------------------------------------------------------

    def hits(self, path: str) -> int:
        with self._lock:
            return sum(1 for r in self.requests if r.path == path)

    def seen(self, path: str | None = None) -> list[SeenRequest]:
        with self._lock:
            return [r for r in self.requests if path is None or r.path == path]

    def statuses(self, path: str) -> list[int]:
        return [r.status for r in self.seen(path)]

    def wait_for(self, predicate: Callable[[NewsServer], T], timeout: float = 10.0) -> T:
        """Block until ``predicate(server)`` is truthy and return its value; TimeoutError if not.

        Woken on every request seen, never by polling (as ``FakeTelegram.wait_for``).
        """
        return wait_on(self._changed, lambda: predicate(self), timeout, "news server")

    # -- serving ---------------------------------------------------------------------------

    def _route(self, path: str) -> Route:
        with self._lock:
            route = self.routes.get(path)
            if route is None:
                return Route(body=b"not found", content_type="text/plain", status=404)
            served = self._served.get(path, 0)
            self._served[path] = served + 1
            if served == 0 or not route.then:
                return route
            return route.then[min(served - 1, len(route.then) - 1)]

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        route = self._route(path)
        status, headers, body = _answer(route, handler.headers)
        seen = SeenRequest("GET", path, dict(handler.headers.items()), time.monotonic(), status)
        with self._changed:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            self.requests.append(seen)  # before answering: a test that got the answer sees it
            self._changed.notify_all()
        try:
            if route.stall_s:
                time.sleep(route.stall_s)  # a deliberately slow server, not a test waiting
            handler.send_response(status)
            handler.send_header("Content-Type", route.content_type)
            handler.send_header("Content-Length", str(len(body)))
            for key, value in headers.items():
                handler.send_header(key, value)
            with self._changed:
                self.in_flight -= 1
                seen.done_at = time.monotonic()
            handler.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                handler.wfile.write(body)
        except BaseException:
            with self._changed:
                if not seen.done_at:
                    self.in_flight -= 1
                    seen.done_at = time.monotonic()
            raise


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up (a timeout, a closed keep-alive pool) is not an error here."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


_GZIP = {"Content-Encoding": "gzip"}


def _answer(route: Route, request_headers: Any) -> tuple[int, dict[str, str], bytes]:
    headers = dict(route.headers)
    body = route.body
    if route.validators:
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        headers |= {"ETag": etag, "Last-Modified": LAST_MODIFIED}
        if request_headers.get("If-None-Match") == etag or (
            request_headers.get("If-None-Match") is None
            and request_headers.get("If-Modified-Since") == LAST_MODIFIED
        ):
            return 304, headers, b""
    if route.gzip:
        body = gzip.compress(body)
        headers |= _GZIP
    return route.status, headers, body


def _date(entry: Entry) -> datetime:
    return entry.published or datetime.now(UTC)


def _rss2(server: NewsServer, entries: Sequence[Entry], title: str) -> tuple[str, str]:
    items = "".join(
        f"<item><title>{escape(e.title)}</title><link>{escape(server.url(e.path))}</link>"
        f"<guid>{escape(e.guid or server.url(e.path))}</guid>"
        f"<pubDate>{format_datetime(_date(e))}</pubDate></item>"
        for e in entries
    )
    xml = (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>{server.base}/</link>"
        f"<description>t</description>{items}</channel></rss>"
    )
    return xml, "application/rss+xml; charset=utf-8"


def _rss090(server: NewsServer, entries: Sequence[Entry], title: str) -> tuple[str, str]:
    items = "".join(
        f"<item><title>{escape(e.title)}</title><link>{escape(server.url(e.path))}</link></item>"
        for e in entries
    )
    xml = (
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://my.netscape.com/rdf/simple/0.9/">'
        f"<channel><title>{escape(title)}</title><link>{server.base}/</link>"
        f"<description>t</description></channel>{items}</rdf:RDF>"
    )
    return xml, "application/rdf+xml"


def _rss1(server: NewsServer, entries: Sequence[Entry], title: str) -> tuple[str, str]:
    items = "".join(
        f'<item rdf:about="{escape(server.url(e.path))}"><title>{escape(e.title)}</title>'
        f"<link>{escape(server.url(e.path))}</link><dc:date>{_date(e).isoformat()}</dc:date>"
        "</item>"
        for e in entries
    )
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<channel rdf:about="{server.base}/"><title>{escape(title)}</title>'
        f"<link>{server.base}/</link><description>t</description></channel>{items}</rdf:RDF>"
    )
    return xml, "application/rss+xml"


def _atom(server: NewsServer, entries: Sequence[Entry], title: str) -> tuple[str, str]:
    items = "".join(
        f"<entry><title>{escape(e.title)}</title>"
        f'<link rel="alternate" href="{escape(server.url(e.path))}"/>'
        f"<id>{escape(e.guid or 'tag:test,2025:' + e.path)}</id>"
        f"<updated>{_date(e).isoformat()}</updated>"
        f"<published>{_date(e).isoformat()}</published></entry>"
        for e in entries
    )
    xml = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>{server.base}/</id>"
        f"<updated>{datetime.now(UTC).isoformat()}</updated>{items}</feed>"
    )
    return xml, "application/atom+xml"


def _json(server: NewsServer, entries: Sequence[Entry], title: str) -> tuple[str, str]:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": server.base + "/",
        "items": [
            {
                "id": e.guid or e.path,
                "url": server.url(e.path),
                "title": e.title,
                "date_published": _date(e).isoformat(),
                "content_text": e.title,
            }
            for e in entries
        ],
    }
    return json.dumps(doc), "application/feed+json"


_FORMATS: dict[str, Callable[[NewsServer, Sequence[Entry], str], tuple[str, str]]] = {
    "rss090": _rss090,
    "rss1": _rss1,
    "rss2": _rss2,
    "atom": _atom,
    "json": _json,
}
