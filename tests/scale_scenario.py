"""A news site of N sources whose feeds change by rounds, for the worker tests and bench/scale.py.

Each source is an RSS feed on a local news server; round r adds one article per source, a
different story each time (its own generated text, so no two are copies of one story). Every
tenth source's article is about "alphaquake", every tenth (offset 5) about "betastorm", the
rest match nothing. Five private chats follow the two topics. The expected alerts are computed
by the pure pipeline (``bot.extract`` and the config's rules) on the very pages served.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from bot import extract
from bot.config import Config, load_config
from bot.store import Store
from tests.fakes.news_server import Entry, NewsServer

CHATS = {1: ("alpha",), 2: ("alpha",), 3: ("alpha", "beta"), 4: ("beta",), 5: ("beta",)}
TOPICS = [
    {"id": "alpha", "name": "Alpha", "match": {"any": ["alphaquake"]}},
    {"id": "beta", "name": "Beta", "match": {"any": ["betastorm"]}},
]
_SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "sa",
    "ti",
    "vo",
    "ze",
    "pa",
    "qui",
    "bro",
    "dan",
    "fel",
]


def _words(rng: random.Random, n: int) -> list[str]:
    return ["".join(rng.choices(_SYLLABLES, k=rng.randint(2, 4))) for _ in range(n)]


def article_html(source: int, round_: int) -> tuple[str, str]:
    """(title, HTML) of source ``source``'s article of round ``round_``."""
    rng = random.Random(source * 1000 + round_)
    term = "alphaquake" if source % 10 == 0 else "betastorm" if source % 10 == 5 else "quiet"
    title = f"Report {source}-{round_} on the {term} question"
    paragraphs = [
        f"The {term} question came up again today. " + " ".join(_words(rng, 60)) + "."
        for _ in range(4)
    ]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"{body}</article></body></html>"
    )
    return title, html


@dataclass
class Scenario:
    """The servers, config file and expectations of one run of the scenario."""

    news: NewsServer
    stall: NewsServer  # serves the one source that stalls in round 2 (its own port)
    sources: int
    folder: Path
    database_url: str
    api_base_url: str
    stalled_source: int = 7
    round: int = 0
    served: dict[tuple[int, int], str] = field(default_factory=dict)  # (source, round) -> title

    def server_of(self, source: int) -> NewsServer:
        return self.stall if source == self.stalled_source else self.news

    def feed_path(self, source: int) -> str:
        return f"/s{source}/feed.xml"

    def write_config(self, interval: str = "30s", **telegram: Any) -> Path:
        sources = [
            {
                "id": f"s{i}",
                "url": self.server_of(i).url(self.feed_path(i)),
                "kind": "feed",
                "interval": interval,
                "backfill": "24h",
            }
            for i in range(self.sources)
        ]
        doc = {
            "sources": sources,
            "topics": TOPICS,
            "telegram": {
                "api_base_url": self.api_base_url,
                "global_rate": 25,
                "pacing_scale": 0.05,
                "deliver_every": "0.2s",
                "send_concurrency": 4,
                **telegram,
            },
            "fetch": {
                "host_delay": "0s",
                "host_concurrency": 16,
                "concurrency": 32,
                "min_interval": "1s",
                "timeout": "60s",
                "workers": 1,
            },
            "storage": {"url": self.database_url},
        }
        path = self.folder / "newsbot.yaml"
        path.write_text(yaml.safe_dump(doc), encoding="utf-8")
        return path

    def subscribe_chats(self) -> None:
        store = Store(self.database_url)
        for chat, topics in CHATS.items():
            store.upsert_subscriber(chat, user_id=chat, chat_type="private", now=1.0)
            for topic in topics:
                store.subscribe(chat, topic, now=1.0)
        store.close()

    def next_round(self, *, stall_s: float = 0.0) -> None:
        """Publish one more article per source (the stalled source's feed stalls if asked)."""
        self.round += 1
        now = datetime.now(UTC)
        for i in range(self.sources):
            server = self.server_of(i)
            entries = []
            for r in range(1, self.round + 1):
                title, html = article_html(i, r)
                path = f"/s{i}/r{r}.html"
                server.page(path, html)
                self.served[(i, r)] = title
                entries.append(Entry(path, title, now, guid=path))
            stall = stall_s if i == self.stalled_source else 0.0
            server.feed(self.feed_path(i), entries, stall_s=stall)

    def unstall(self) -> None:
        self.stall.routes[self.feed_path(self.stalled_source)].stall_s = 0.0

    def expected(self, config: Config) -> set[tuple[int, str]]:
        """(chat, title) of every alert the pure pipeline makes of the pages served so far."""
        wanted: set[tuple[int, str]] = set()
        for (i, r), title in self.served.items():
            url = self.server_of(i).url(f"/s{i}/r{r}.html")
            _, html = article_html(i, r)
            matches = config.rules.match(extract(html, url))
            for match in matches:
                wanted |= {(c, title) for c, topics in CHATS.items() if match.topic_id in topics}
        return wanted

    def feed_hits(self) -> dict[int, int]:
        return {i: self.server_of(i).hits(self.feed_path(i)) for i in range(self.sources)}


def delivered(messages: Iterable[Any], titles: Iterable[str]) -> dict[tuple[int, str], int]:
    """How many times each (chat, title) reached Telegram (a message may carry several)."""
    wanted = list(titles)
    counts: dict[tuple[int, str], int] = {}
    for message in messages:
        for title in wanted:
            if title in message.text:
                key = (int(message.chat_id), title)
                counts[key] = counts.get(key, 0) + 1
    return counts


@dataclass
class Workers:
    """``newsbot worker`` processes, their logs in ``folder``."""

    config: Path
    folder: Path
    token: str
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, count: int, *extra: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM", "NEWSBOT"))}
        env["TELEGRAM_BOT_TOKEN"] = self.token
        argv = [sys.executable, "-m", "bot", "worker", "--config", str(self.config)]
        argv += ["--concurrency", "4", "--stalled-after", "3", *extra]
        for _ in range(count):
            with (self.folder / f"worker{len(self.procs)}.log").open("wb") as log:
                proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
            self.procs.append(proc)

    def stop(self, timeout: float = 60.0) -> list[int | None]:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        codes = []
        for proc in self.procs:
            try:
                codes.append(proc.wait(timeout=timeout))
            except subprocess.TimeoutExpired:
                proc.kill()
                codes.append(proc.wait(timeout=10))
        return codes

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in self.folder.glob("*.log"))

    def __iter__(self) -> Iterator[subprocess.Popen[bytes]]:
        return iter(self.procs)


def holder_of_connection(pids: Iterable[int], server_port: int) -> int | None:
    """The PID among ``pids`` with an established TCP connection to 127.0.0.1:``server_port``
    (read from /proc: the socket's inode in /proc/net/tcp, then in each process's fds)."""
    inodes: set[str] = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        remote, state, inode = parts[2], parts[3], parts[9]
        if state == "01" and int(remote.split(":")[1], 16) == server_port:
            inodes.add(inode)
    for pid in pids:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                return pid
    return None


def poll(condition: Callable[[], bool], timeout: float, every: float = 0.2) -> bool:
    """Check ``condition`` until it holds or ``timeout`` passes (for state with no event to
    wait on: a database, /proc)."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            return False
        pause.wait(every)
    return True


def load(path: Path) -> Config:
    return load_config(path, env={})
