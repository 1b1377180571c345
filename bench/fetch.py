"""Benchmark: one cold and one warm cycle over many sources on local news servers.

Serves 1,000 sources (by default) from 8 local "sites" (loopback servers on 8 ports): 60% watched
article pages with ETag/Last-Modified, 15% article pages without validators (only the content
hash can tell they did not change), 25% RSS feeds with validators. Articles are real news pages
(shared/data/article-benchmark). The cold cycle is every source's first run (pages are fetched
and parsed; feeds record their items); the warm cycle polls everything again with 2% of the
pages changed. Prints per cycle: sources/s, requests, 304 answers, runs stopped by the content
hash, pages parsed; then the warm/cold ratios (the anchor is the cold cycle of the same run),
and peak memory. The warm cycle must parse only the changed pages.

Per-host politeness is on as configured below (2 at a time per site) but with no spacing
delay, so the benchmark measures newsbot rather than the waiting it is told to do.

    python bench/fetch.py [--sources 1000] [--sites 8] [--changed 0.02]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import resource
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Config, parse_config
from bot.fetch.client import Fetcher
from bot.model import Source
from bot.runtime.service import CheckReport, Deps, check_source
from bot.store import Store
from tests.fakes.news_server import Entry, NewsServer

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT.parent / "shared" / "data" / "article-benchmark" / "html"
CONFIG = """
topics:
  - id: alibaba
    name: Alibaba listing
    match: {all: [alibaba, {any: [listing, shares, ipo]}]}
fetch: {host_delay: 0s, host_concurrency: 2, concurrency: 16, min_interval: 1s}
"""


def article_bodies(limit: int = 40) -> list[bytes]:
    return [gzip.decompress(p.read_bytes()) for p in sorted(PAGES.glob("*.html.gz"))[:limit]]


def build(servers: list[NewsServer], count: int) -> list[Source]:
    bodies = article_bodies()
    sources: list[Source] = []
    for n in range(count):
        site = servers[n % len(servers)]
        share = n % 20
        if share < 12:
            url = site.page(f"/a/{n}", bodies[n % len(bodies)], validators=True)
            sources.append(Source(f"page-{n}", url, "page", 600.0))
        elif share < 15:
            url = site.page(f"/b/{n}", bodies[n % len(bodies)])
            sources.append(Source(f"plain-{n}", url, "page", 600.0))
        else:
            entries = [Entry(f"/a/{(n + k) % count}", f"item {k}") for k in range(10)]
            url = site.feed(f"/feed/{n}.xml", entries, validators=True)
            sources.append(Source(f"feed-{n}", url, "feed", 600.0))
    return sources


async def cycle(
    sources: list[Source], config: Config, deps: Deps
) -> tuple[float, list[CheckReport], dict[str, int]]:
    before = replace(deps.fetcher.stats)
    started = time.perf_counter()
    reports = await asyncio.gather(*(check_source(s, config, deps) for s in sources))
    elapsed = time.perf_counter() - started
    stats = deps.fetcher.stats
    counts = {
        "requests": stats.requests - before.requests,
        "not_modified": stats.not_modified - before.not_modified,
        "robots": stats.robots_fetches - before.robots_fetches,
        "bytes": stats.bytes_read - before.bytes_read,
    }
    return elapsed, list(reports), counts


def line(name: str, elapsed: float, reports: list[CheckReport], counts: dict[str, int]) -> str:
    unchanged = sum(1 for r in reports if r.skipped == "unchanged")
    parsed = sum(r.pages for r in reports)
    errors = sum(len(r.errors) for r in reports)
    return (
        f"{name:5} {len(reports) / elapsed:8.1f} sources/s  {elapsed:6.2f}s  "
        f"requests {counts['requests']:5d} (robots {counts['robots']})  "
        f"304 {counts['not_modified']:5d}  unchanged runs {unchanged:5d}  "
        f"pages parsed {parsed:5d}  read {counts['bytes'] / 1e6:6.1f} MB  errors {errors}"
    )


async def main(args: argparse.Namespace) -> None:
    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        servers = [stack.enter_context(NewsServer()) for _ in range(args.sites)]
        sources = build(servers, args.sources)
        config = replace(parse_config(CONFIG, file="bench.yaml", env={}), sources=tuple(sources))
        store = Store(f"sqlite:///{tmp}/bench.db")
        fetcher = Fetcher(config.fetch)
        deps = Deps(store=store, fetcher=fetcher)
        try:
            cold = await cycle(sources, config, deps)
            pages = [s for s in sources if s.kind == "page"]
            changed = pages[:: max(1, round(1 / args.changed))] if args.changed else []
            for source in changed:
                server = next(s for s in servers if source.url.startswith(s.base))
                path = source.url[len(server.base) :]
                route = server.routes[path]
                server.page(path, route.body + b"<!-- edited -->", validators=route.validators)
            warm = await cycle(sources, config, deps)
        finally:
            await fetcher.aclose()
            store.close()
    print(f"{args.sources} sources on {args.sites} local sites; {len(changed)} pages changed")
    print(line("cold", *cold))
    print(line("warm", *warm))
    warm_parsed = sum(r.pages for r in warm[1])
    by_304 = warm[2]["not_modified"]
    by_hash = sum(1 for r in warm[1] if r.skipped == "unchanged") - by_304
    print(
        f"warm/cold: time {warm[0] / cold[0]:.2f}x, bytes read "
        f"{warm[2]['bytes'] / max(1, cold[2]['bytes']):.2f}x, pages parsed {warm_parsed}/"
        f"{sum(r.pages for r in cold[1])}; warm runs ended by a 304: {by_304}, "
        f"by an unchanged content hash: {by_hash} (of {len(sources)})"
    )
    print(f"warm cycle parsed only changed pages: {warm_parsed == len(changed)}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak:.0f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--sites", type=int, default=8)
    parser.add_argument("--changed", type=float, default=0.02)
    asyncio.run(main(parser.parse_args()))
