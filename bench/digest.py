"""Benchmark: where a page worker's CPU goes, stage by stage, against ``trafilatura.extract``.

Takes the pages ``bench/cycle.py`` serves (both shared data sets, shuffled with the harness's
seed, the first ``--n``), and times in this process, CPU time per page: decoding the body,
``digest_page``'s stages (canonical URL + cleaning, topic matching with the cycle's three
topics, the MinHash fingerprint), and ``trafilatura.extract`` alone, which is all the 100-line
script of the cycle does per page. Also has a pool fork one page worker as the bot does (from a
launcher shaped like the ``newsbot`` console script) and prints its start-up CPU, its RSS and
PSS (most of its RSS is shared with the bot), and the bot process's. One
pass, each stage over the same pages: read the shares, not the last digit.

    python bench/digest.py [--n 300]
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.clean import clean_page  # noqa: E402
from bot.clean.decode import decode_html  # noqa: E402
from bot.model import Article  # noqa: E402
from bot.rules import compile_rules  # noqa: E402
from bot.rules.tokenizer import prepare  # noqa: E402
from bot.sources.canonical import host_of, page_canonical  # noqa: E402
from bot.stories.fingerprint import fingerprint  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
DIRS = [DATA / "article-benchmark" / "html", DATA / "wcxb-dev-articles" / "html"]
SEED = 1  # ../shared/tools/peers/pages_server.py's default shuffle
# The cycle's three topics (../shared/tools/peers/bench_cycle.py), in newsbot's rule language.
TOPICS = {
    "energy": ("energy", "climate carbon emissions solar oil gas electricity"),
    "markets": ("market", "stocks economy inflation investors shares prices"),
    "health": ("health", "covid vaccine patients hospital doctors disease"),
}


def pages(n: int) -> list[bytes]:
    """The first ``n`` pages in the order the cycle's page server serves them."""
    files = [
        f
        for d in DIRS
        for f in sorted(d.iterdir())
        if f.name.endswith((".html", ".html.gz", ".htm"))
    ]
    random.Random(SEED).shuffle(files)
    return [
        gzip.decompress(f.read_bytes()) if f.name.endswith(".gz") else f.read_bytes()
        for f in files[:n]
    ]


def timed(label: str, items: list[Any], step: Callable[[Any], Any]) -> tuple[float, list[Any]]:
    """CPU ms per item of ``step`` over ``items``, and its results."""
    start = time.process_time()
    out = [step(item) for item in items]
    ms = (time.process_time() - start) * 1000 / max(1, len(items))
    print(f"  {label:<38} {ms:7.2f} ms/page")
    return ms, out


# A launcher shaped like the ``newsbot`` console script (its top imports the CLI) that has a
# two-slot pool digest three pages at once, so that it forks its page worker as the bot does,
# and prints the worker's CPU ticks, RSS and PSS from /proc, and the bot process's RSS and PSS.
LAUNCHER = """import asyncio, os, sys
from bot.runtime.cli import main
if __name__ == "__main__":
    from bot.rules import compile_rules
    from bot.runtime.workers import PagePool
    pool = PagePool(2)
    rules = compile_rules({}, [])
    page = "<html><body><p>" + "A short paragraph of English text for the language model. " * 9
    async def three():
        return await asyncio.gather(*(
            pool.digest(page + "</p></body></html>", "http://127.0.0.1/", rules, "s") for _ in "abc"
        ))
    asyncio.run(three())
    pid = pool.worker_pids()[0]
    ticks = sum(map(int, open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[11:13]))
    def memory(pid):
        rows = [l.split() for l in open(f"/proc/{pid}/smaps_rollup") if l[:4] in ("Rss:", "Pss:")]
        return [int(row[1]) // 1024 for row in rows]
    print(ticks * 1000 // os.sysconf("SC_CLK_TCK"), *memory(pid), *memory(os.getpid()))
    pool.close()
"""


def worker_start() -> list[int]:
    """CPU ms, RSS and PSS MB of the page worker forked by the bot once it has digested a page,
    and RSS and PSS MB of the bot's process then."""
    with tempfile.TemporaryDirectory() as tmp:
        launcher = Path(tmp) / "newsbot_launcher.py"
        launcher.write_text(LAUNCHER, encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        out = subprocess.run(
            [sys.executable, str(launcher)], env=env, capture_output=True, text=True, check=True
        ).stdout.split()
    return [int(x) for x in out]


def topics() -> list[dict[str, object]]:
    return [
        {"id": tid, "name": tid, "match": {"all": [word, {"any": others.split()}]}}
        for tid, (word, others) in TOPICS.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    import trafilatura

    bodies = pages(args.n)
    rules = compile_rules({}, topics())
    prepare()  # as a page worker does when it starts
    print(f"{len(bodies)} pages, {sum(map(len, bodies)) / 2**20:.0f} MB; CPU per page:")
    decode_ms, htmls = timed("decode (charset)", bodies, decode_html)
    url = "http://127.0.0.1/p.html"

    def clean(html: str) -> Article:
        canonical = page_canonical(html, url)
        return replace(clean_page(html, canonical), url=canonical)

    clean(htmls[0]), trafilatura.extract(htmls[0])  # first calls (lazy set-up) not timed
    clean_ms, articles = timed("canonical URL + clean_page", htmls, clean)
    taken = [a for a in articles if not a.blocked]
    match_ms, _ = timed(
        "rules.match (3 topics)",
        taken,
        lambda a: rules.match(a, source_id="s", source_host=host_of(a.url)),
    )
    print_ms, _ = timed("fingerprint", taken, lambda a: fingerprint(a.text))
    total = decode_ms + clean_ms + (match_ms + print_ms) * len(taken) / max(1, len(htmls))
    print(f"  {'digest total (per page served)':<38} {total:7.2f} ms/page")
    extract_ms, _ = timed("trafilatura.extract (the script's step)", htmls, trafilatura.extract)
    print(f"  ratio digest / extract: {total / extract_ms:.2f}")
    cpu_ms, rss_mb, pss_mb, bot_rss, bot_pss = worker_start()
    print(
        f"one page worker forked by the bot (after 3 small pages): {cpu_ms} ms CPU, {rss_mb} MB"
        f" RSS, {pss_mb} MB PSS; the bot's process then: {bot_rss} MB RSS, {bot_pss} MB PSS"
    )


if __name__ == "__main__":
    main()
