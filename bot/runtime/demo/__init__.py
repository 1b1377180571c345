"""``newsbot demo``: one full offline cycle over bundled sample pages served on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import partial
from html import escape
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

from bot.config import Config, default_config_path, load_config
from bot.model import Article, Source
from bot.wording import count

PAGES = resources.files("bot.runtime.demo") / "pages"


def _feed(base: str, names: list[str]) -> bytes:
    now = format_datetime(datetime.now(UTC))
    items = "".join(
        f"<item><title>{escape(name)}</title><link>{base}/{name}</link>"
        f"<guid>{base}/{name}</guid><pubDate>{now}</pubDate></item>"
        for name in names
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>newsbot demo</title><link>{base}/</link><description>Sample pages</description>"
        f"{items}</channel></rss>"
    ).encode()


class _Handler(SimpleHTTPRequestHandler):
    feed: bytes = b""

    def do_GET(self) -> None:
        if self.path == "/feed.xml":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(self.feed)))
            self.end_headers()
            self.wfile.write(self.feed)
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class DemoServer:
    """The bundled pages and a feed listing them, on an ephemeral loopback port."""

    def __init__(self, directory: Path) -> None:
        names = sorted(p.name for p in directory.iterdir() if p.suffix == ".html")
        handler = partial(_Handler, directory=str(directory))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        _Handler.feed = _feed(self.base, names)
        self.pages = names
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> DemoServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def demo_config(config: Config, feed_url: str, database_url: str) -> Config:
    """The maintainer's topics, with the demo feed as the only source, no token, a temp DB."""
    return replace(
        config,
        # The feed dates its items now; a week of backfill alerts them on this first run.
        sources=(
            Source(
                id="demo-feed", url=feed_url, kind="feed", interval_s=600.0, backfill_s=7 * 86400.0
            ),
        ),
        telegram=replace(config.telegram, token=None, channels=()),
        database_url=database_url,
    )


CHECKOUT_CONFIG = Path(__file__).resolve().parents[3] / "config" / "newsbot.yaml"
"""The example config of the source checkout this package runs from."""


NOTICE_CHARS = 160


def removed_notices(articles: list[Article]) -> str:
    """The consent notices cut from the alerted articles before matching: kind, language, text."""
    from bot.clean.language import detect_language

    lines = ["Removed before matching (cookie and consent notices, not news):"]
    for article in articles:
        for piece in article.removed:
            if piece.kind != "consent":
                continue
            text = " ".join(piece.text.split())
            short = text if len(text) <= NOTICE_CHARS else text[:NOTICE_CHARS].rsplit(" ", 1)[0]
            lines.append(
                f"  {article.title}: {piece.kind} notice in "
                f"{detect_language(text) or 'an unknown language'}, "
                f"{count(len(text), 'character')}: “{short}{'…' if short != text else ''}”"
            )
    return "\n".join(lines) + "\n" if len(lines) > 1 else ""


def run_demo(config_path: str | None) -> int:
    from bot.runtime.runner import run_once

    path = Path(config_path) if config_path else default_config_path(os.environ)
    if not config_path and "NEWSBOT_CONFIG" not in os.environ and not path.exists():
        # Run from another directory: the checkout's example config (an editable install).
        path = CHECKOUT_CONFIG if CHECKOUT_CONFIG.exists() else path
    config = load_config(path)
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="newsbot-demo-") as tmp,
        resources.as_file(PAGES) as pages,
        DemoServer(Path(pages)) as server,
    ):
        demo = demo_config(config, f"{server.base}/feed.xml", f"sqlite:///{tmp}/demo.db")
        print(
            f"newsbot demo: serving {len(server.pages)} sample pages and a feed at "
            f"{server.base}/feed.xml\n"
        )
        reports, delivered = asyncio.run(run_once(demo, out=sys.stdout))
    report = reports[0]
    topics = {m.topic_id for _, matches in report.matches for m in matches}
    print(removed_notices([article for article, matches in report.matches if matches]))
    print(
        f"demo: {count(report.pages, 'page')} checked, "
        f"{count(report.blocked, 'consent wall')} skipped, "
        f"{count(report.alerts, 'alert')} on {count(len(topics), 'topic')}, "
        f"{delivered.sent} printed, {count(len(report.errors), 'error')}, "
        f"in {time.monotonic() - started:.1f}s"
    )
    return 0 if not report.errors else 1
