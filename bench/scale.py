"""Benchmark: `newsbot worker` throughput on PostgreSQL, with 1 and then 2 worker processes.

Serves N feed sources (tests/scale_scenario.py: one new generated article per source, a tenth of
them matching a topic) on a local news server, starts a PostgreSQL (tests/postgres.py) and the
fake Bot API, and for each worker count runs one round on a fresh database: every source's first
run, which fetches its feed and article, cleans, fingerprints, matches and records it. Prints
per worker count: sources/s (wall time from the first check to the last), CPU seconds per
source (user + system of the worker processes, start-up included, over N), and the send rate
reached (messages/s from the first send to the last) against the configured global rate, with
enough subscribers that the global rate, not one chat's pacing, is the limit.

    python bench/scale.py [--sources 400] [--chats 60]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.store import Store
from tests.fakes.news_server import NewsServer
from tests.fakes.telegram_api import FakeTelegram
from tests.postgres import postgres_server
from tests.scale_scenario import Scenario, Workers, poll

GLOBAL_RATE = 25


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(workers_n: int, sources: int, chats: int) -> dict[str, float]:
    server = postgres_server()
    url = server.url(server.create_database())
    folder = Path(tempfile.mkdtemp(prefix="newsbot-scale-"))
    with NewsServer() as news, NewsServer() as other, FakeTelegram() as fake:
        scenario = Scenario(news, other, sources, folder, url, fake.url)
        path = scenario.write_config(interval="1h", global_rate=GLOBAL_RATE, pacing_scale=1.0)
        scenario.subscribe_chats()
        store = Store(url)
        for chat in range(1000, 1000 + chats):  # private chats following "alpha"
            store.upsert_subscriber(chat, user_id=chat, chat_type="private", now=1.0)
            store.subscribe(chat, "alpha", now=1.0)
        store.close()
        scenario.next_round()
        workers = Workers(path, folder, fake.token)
        workers.start(workers_n)
        try:
            ok = poll(lambda: min(scenario.feed_hits().values()) >= 1, timeout=1800, every=0.5)
            first = min(r.at for r in news.seen() + other.seen())
            last_fetch = max(r.done_at or r.at for r in news.seen() + other.seen())
            store = Store(url)
            poll(lambda: set(store.delivery_counts()) <= {"sent", "failed"}, 1800, every=0.5)
            store.close()
            cpu = sum(_cpu_seconds(p.pid) for p in workers)
        finally:
            workers.stop()
        sends = sorted(r.at for r in fake.requests if r.method == "sendMessage" and r.ok)
    if not ok:
        raise SystemExit("the round did not finish within 30 minutes")
    # While sources are checked, alerts arrive only as fast as they are made; after the last
    # fetch the sender drains a backlog, and that rate is the sender's own.
    backlog = [t for t in sends if t >= last_fetch]
    return {
        "sources_per_s": sources / (last_fetch - first),
        "cpu_per_source_ms": 1000 * cpu / sources,
        "sends": len(sends),
        "send_rate": _rate(sends),
        "drain_sends": len(backlog),
        "drain_rate": _rate(backlog),
    }


def _rate(times: list[float]) -> float:
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=400)
    parser.add_argument("--chats", type=int, default=60)
    args = parser.parse_args()
    print(f"{args.sources} sources, {args.chats + 5} subscribers, global rate {GLOBAL_RATE}/s")
    print(f"load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    results = {}
    for n in (1, 2):
        started = time.monotonic()
        results[n] = run(n, args.sources, args.chats)
        r = results[n]
        print(
            f"{n} worker{'s' if n > 1 else ''}: {r['sources_per_s']:.1f} sources/s, "
            f"{r['cpu_per_source_ms']:.0f} ms CPU per source, {r['sends']:.0f} messages at "
            f"{r['send_rate']:.1f}/s, the last {r['drain_sends']:.0f} (backlog after the last "
            f"fetch) at {r['drain_rate']:.1f}/s (limit {GLOBAL_RATE}/s); "
            f"{time.monotonic() - started:.0f} s"
        )
    ratio = results[2]["sources_per_s"] / results[1]["sources_per_s"]
    print(f"2 workers / 1 worker: {ratio:.2f}x sources/s")
    needed = 50_000 / 300
    per_core = 1000 / results[1]["cpu_per_source_ms"]
    print(
        f"50,000 sources every 5 min = {needed:.0f} sources/s; at {per_core:.1f} sources/s per"
        f" busy core that is about {needed / per_core:.0f} cores of workers"
    )


if __name__ == "__main__":
    main()
