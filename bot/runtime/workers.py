"""Clean, fingerprint and match fetched pages in worker processes, so no page blocks the bot.

``digest_page`` is the pure CPU-heavy half of taking an article: canonical URL → clean →
fingerprint → match. ``PagePool`` runs it in a process pool sized to the cores, off the event
loop, so Telegram commands and deliveries go on while a large page is cleaned and both cores
work. Each worker receives the compiled rules once, when it starts (pickled by the pool's
initializer); a reload with new rules starts a new pool and lets the old one finish what it
has. A worker that dies (killed, out of memory) fails only the pages it was given: they come
back as ``PageCrashed`` and the next page gets a new pool; when pools keep dying before their
first page, pages are digested in-process instead. With one worker the pages are digested in
a thread of the bot's own process (no second process on a one-core machine).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace

from bot.errors import NewsbotError
from bot.model import Article, Match
from bot.rules import RuleSet
from bot.stories.fingerprint import Fingerprint, fingerprint

log = logging.getLogger("newsbot.workers")


class PageCrashed(NewsbotError):
    """The worker process digesting a page died; the page was not taken."""


@dataclass(frozen=True, slots=True)
class DigestedPage:
    """A fetched page made into an article, with its fingerprint and topic matches."""

    article: Article
    fingerprint: Fingerprint | None
    matches: tuple[Match, ...]


def digest_page(html: str, fetched_url: str, rules: RuleSet, source_id: str) -> DigestedPage:
    """Canonical URL, cleaned article, fingerprint and matches of one page (pure)."""
    from bot.clean import clean_page
    from bot.sources.canonical import host_of, page_canonical

    url = page_canonical(html, fetched_url)
    article = replace(clean_page(html, url), url=url)
    if article.blocked:
        return DigestedPage(article, None, ())
    matches = rules.match(article, source_id=source_id, source_host=host_of(url))
    return DigestedPage(article, fingerprint(article.text), tuple(matches))


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


STILLBORN_LIMIT = 2  # pools in a row that die before any page: give up on processes
_worker_rules: RuleSet | None = None  # in a worker process: the rules it was started with


def _start_worker(rules: RuleSet) -> None:
    global _worker_rules
    _worker_rules = rules
    import bot.clean  # noqa: F401  (loaded while the worker starts, not with its first page)
    from bot.rules.tokenizer import prepare

    # The tokenizer's fold table is built here rather than when the rules are compiled: the
    # bot's own process, which only fetches and stores, never needs it (0.06 s at each start).
    prepare()


def _digest_in_worker(html: str, fetched_url: str, source_id: str) -> DigestedPage:
    assert _worker_rules is not None, "worker started without rules"
    return digest_page(html, fetched_url, _worker_rules, source_id)


class PagePool:
    """The worker processes that digest pages, and the rules they were started with."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers if workers is not None else default_workers()
        self._executor: ProcessPoolExecutor | None = None
        self._rules: RuleSet | None = None
        self._retired: list[Executor] = []
        self._served = False  # the current pool has digested a page
        self._stillborn = 0  # pools in a row that broke before digesting any page

    async def digest(
        self, html: str, fetched_url: str, rules: RuleSet, source_id: str
    ) -> DigestedPage:
        """Digest one page off the event loop; ``PageCrashed`` if its worker died."""
        if self.workers <= 1:
            return await asyncio.to_thread(digest_page, html, fetched_url, rules, source_id)
        executor = self._executor_for(rules)
        loop = asyncio.get_running_loop()
        try:
            page: DigestedPage = await loop.run_in_executor(
                executor, _digest_in_worker, html, fetched_url, source_id
            )
        except BrokenProcessPool as exc:
            if self._executor is executor:
                self._broken(executor)
            raise PageCrashed(f"the worker cleaning {fetched_url} died") from exc
        self._served, self._stillborn = True, 0
        return page

    def _broken(self, executor: ProcessPoolExecutor) -> None:
        self._executor = None
        self._retired.append(executor)
        self._stillborn = 0 if self._served else self._stillborn + 1
        if self._stillborn >= STILLBORN_LIMIT:
            # Workers that die before their first page never will work (a main module that
            # runs the CLI again when imported, no /dev/shm, …): clean in-process instead.
            log.error("page workers keep dying at start; cleaning pages in-process from now on")
            self.workers = 1
        else:
            log.error("a page worker died; starting new workers")

    def _executor_for(self, rules: RuleSet) -> ProcessPoolExecutor:
        if self._executor is not None and rules is not self._rules:
            self._retired.append(self._executor)  # finishes its pages with the old rules
            self._executor.shutdown(wait=False)
            self._executor = None
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(rules,),
            )
            self._rules = rules
            self._served = False
        return self._executor

    def worker_pids(self) -> list[int]:
        """Process ids of the current workers (for logs and diagnostics)."""
        processes = getattr(self._executor, "_processes", None) or {}
        return [process.pid for process in processes.values() if process.pid is not None]

    def close(self, grace_s: float = 5.0) -> None:
        """Stop every worker: pages not started are dropped; a page still being cleaned after
        ``grace_s`` has its worker terminated (a graceful stop must not wait on one page)."""
        executors = [*self._retired, *([self._executor] if self._executor else [])]
        self._executor, self._retired = None, []
        for executor in executors:
            # The pool has no public way to end a busy worker: take its processes first.
            processes = list((getattr(executor, "_processes", None) or {}).values())
            executor.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.join(grace_s)
                if process.is_alive():
                    process.terminate()
                    process.join()
            executor.shutdown(wait=True)
