"""Benchmark: database transactions and commits per source run (one run of a feed source).

A local news server serves a feed of the five demo pages; the first run records the feed's
(empty) baseline, the second fetches the five new articles, places them in stories, plans their
alerts and persists the run. A SQLAlchemy event counter on the store's engine counts the
transactions begun and committed during the second run only, and those that wrote anything.

    python bench/run_transactions.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Config, parse_config  # noqa: E402
from bot.fetch.client import Fetcher  # noqa: E402
from bot.runtime.service import CheckReport, Deps, check_source  # noqa: E402
from bot.store import Store  # noqa: E402
from tests.fakes.news_server import Entry, NewsServer  # noqa: E402

PAGES = ROOT / "bot" / "runtime" / "demo" / "pages"


def _config(folder: str, feed_url: str) -> Config:
    doc = yaml.safe_load((ROOT / "config" / "newsbot.yaml").read_text(encoding="utf-8"))
    doc["sources"] = [{"id": "wire", "url": feed_url, "kind": "feed"}]
    doc["fetch"] = {"host_delay": "0s", "min_interval": "1s", "timeout": "5s"}
    doc["storage"] = {"url": f"sqlite:///{folder}/bench.db"}
    return parse_config(yaml.safe_dump(doc, allow_unicode=True), file="bench.yaml", env={})


async def _run(config: Config, store: Store, now: float) -> CheckReport:
    fetcher = Fetcher(config.fetch)
    deps = Deps(store=store, fetcher=fetcher, clock=lambda: now, rand=lambda: 0.0)
    try:
        return await check_source(config.sources[0], config, deps)
    finally:
        await fetcher.aclose()


def main() -> None:
    counts = {"begin": 0, "commit": 0, "writing": 0}
    wrote = [False]

    def begin(*_: Any) -> None:
        counts["begin"] += 1

    def statement(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if sql.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            wrote[0] = True

    def commit(*_: Any) -> None:
        counts["commit"] += 1
        counts["writing"] += wrote[0]
        wrote[0] = False

    with NewsServer() as news, tempfile.TemporaryDirectory() as folder:
        news.feed("/feed", [])
        config = _config(folder, news.url("/feed"))
        store = Store(config.database_url)
        now = datetime.now(UTC).timestamp()
        asyncio.run(_run(config, store, now))
        pages = sorted(PAGES.glob("*.html"))
        for page in pages:
            news.page_file(f"/a/{page.name}", page)
        entries = [Entry(f"/a/{p.name}", p.stem, datetime.now(UTC)) for p in pages]
        news.feed("/feed", entries)
        event.listen(store.engine, "begin", begin)
        event.listen(store.engine, "before_cursor_execute", statement)
        event.listen(store.engine, "commit", commit)
        report = asyncio.run(_run(config, store, now + 3600))
        store.close()
    print(
        f"source run with {report.pages} articles ({report.blocked} walled, {report.alerts}"
        f" alerts, {len(report.deliveries)} deliveries): {counts['begin']} transactions,"
        f" {counts['commit']} commits, {counts['writing']} of them writing"
    )


if __name__ == "__main__":
    main()
