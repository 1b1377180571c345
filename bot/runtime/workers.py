"""Clean, fingerprint and match fetched pages in the bot's process and in forked workers.

``digest_page`` is the pure CPU-heavy half of taking an article: canonical URL → clean →
fingerprint → match. ``PagePool`` runs it off the event loop in as many slots as there are
cores: one is a thread of the bot's own process, the others are worker processes, so both
cores work while Telegram commands and deliveries go on. The workers are forked from the bot
once its own slot has digested a page: the cleaning stack, its language model and the compiled
rules are then already in memory and the workers share those pages with the bot (a spawned
worker imported and loaded them again: some 200 MB each). They start only when pages queue up,
so a run that digests one page at a time (a few sources from cron) starts no process at all.
A page goes to a free worker first, and to the bot's own thread when every worker is busy and
the bot's process has not used more CPU than a worker since the fork (it also fetches and
stores), so that the cores share the work evenly. A forked worker lets go of the sockets it
inherits, so that connections the bot closes are closed.

Each worker receives the compiled rules once, when it starts (pickled by the pool's
initializer); a reload with new rules starts new workers and lets the old ones finish what
they have. A worker that dies (killed, out of memory) fails only the pages it was given: they
come back as ``PageCrashed`` and the next page gets new workers; when workers keep dying
before their first page, every page is digested in the bot's thread instead. With one slot
(``fetch.workers: 1`` or one core) there is no worker process at all.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import os
import signal
import stat
import sys
import time
import warnings
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
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
    """One slot per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


STILLBORN_LIMIT = 2  # pools in a row that die before any page: give up on processes
# fork shares the bot's loaded pages with its workers; elsewhere fork is unsafe or missing.
START_METHOD = "fork" if sys.platform == "linux" else "spawn"
_worker_rules: RuleSet | None = None  # in a worker process: the rules it was started with


def _start_worker(rules: RuleSet, start_method: str) -> None:
    global _worker_rules
    _worker_rules = rules
    if start_method == "fork":
        # The bot's event loop wakes on bytes written to this fd by signal handlers: a signal
        # sent to a worker alone must not stop the bot. The bot stops its workers itself.
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _let_go_of_sockets()
    import bot.clean  # noqa: F401  (loaded while the worker starts, not with its first page)
    from bot.rules.tokenizer import prepare

    # The tokenizer's fold table is built here rather than when the rules are compiled: the
    # bot's own process, which only fetches and stores, never needs it (0.06 s at each start).
    prepare()


def _let_go_of_sockets() -> None:
    """In a forked worker: point every inherited socket at /dev/null, so that a connection the
    bot closes (a site's, Telegram's) is closed on the network rather than held open by the
    worker. The descriptor numbers stay taken: the bot's socket objects, copied with its heap,
    still name them. The pool's own channels are pipes."""
    if not os.path.isdir("/proc/self/fd"):  # not Linux: nothing to list them with
        return
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for name in os.listdir("/proc/self/fd"):
            fd = int(name)
            try:
                if fd != null and stat.S_ISSOCK(os.fstat(fd).st_mode):
                    os.dup2(null, fd)
            except OSError:  # the listing's own descriptor, already closed
                continue
    finally:
        os.close(null)


def _preload() -> None:
    """Load what the cleaning stack loads lazily, with its first page that needs it (py3langid's
    model, some 75 MB; justext's stoplists of all languages, 27 MB), so that workers forked
    now share it with the bot instead of each loading its own."""
    from bot.clean.language import detect_language

    detect_language("This sentence is long enough for the language model to be asked.")
    try:
        from trafilatura import external

        if getattr(external, "JT_STOPLIST", True) is None:
            external.jt_stoplist_init()
    except (ImportError, AttributeError):  # another trafilatura: its workers load their own
        pass


def _digest_in_worker(html: str, fetched_url: str, source_id: str) -> tuple[DigestedPage, float]:
    """The digested page and the CPU seconds it took."""
    assert _worker_rules is not None, "worker started without rules"
    started = time.process_time()
    page = digest_page(html, fetched_url, _worker_rules, source_id)
    return page, time.process_time() - started


class PagePool:
    """The slots that digest pages (the bot's own thread and its worker processes), and the
    rules the workers were started with."""

    def __init__(self, workers: int | None = None, start_method: str = START_METHOD) -> None:
        self.workers = workers if workers is not None else default_workers()
        self.start_method = start_method
        self._executor: ProcessPoolExecutor | None = None
        self._rules: RuleSet | None = None
        self._retired: list[Executor] = []
        self._served = False  # the current pool has digested a page
        self._stillborn = 0  # pools in a row that broke before digesting any page
        self._own: ThreadPoolExecutor | None = None  # the bot's slot: one thread, one arena
        self._own_busy = False
        self._in_workers = 0  # pages being digested by worker processes
        self._queued = False  # a page has waited for a slot: time for worker processes
        self._waiters: list[asyncio.Future[None]] = []  # pages waiting for a slot
        self._forked_at_cpu: float | None = None  # this process's CPU time at the first fork
        self._worker_cpu = 0.0  # CPU seconds the workers have spent on pages since

    async def digest(
        self, html: str, fetched_url: str, rules: RuleSet, source_id: str
    ) -> DigestedPage:
        """Digest one page off the event loop; ``PageCrashed`` if its worker died."""
        slot = await self._take_slot(rules)
        try:
            if slot == "own":
                return await self._digest_here(html, fetched_url, rules, source_id)
            return await self._digest_in_worker(html, fetched_url, rules, source_id)
        finally:
            if slot == "own":
                self._own_busy = False
            else:
                self._in_workers -= 1
            for waiter in self._waiters:  # each looks again for a free slot, in arrival order
                if not waiter.done():
                    waiter.set_result(None)

    async def _take_slot(self, rules: RuleSet) -> str:
        """Wait for a free slot and take it (no lock: a release must never wait, nor fail when
        the page's task is cancelled)."""
        while (slot := self._free_slot(rules)) is None:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            finally:
                self._waiters.remove(waiter)
        if slot == "own":
            self._own_busy = True
        else:
            self._in_workers += 1
        return slot

    def _free_slot(self, rules: RuleSet) -> str | None:
        """Where the next page goes: a free worker first, else the bot's own thread. Workers
        are forked once a page has had to wait, at a moment when the bot's thread is idle (it
        has then loaded the cleaning stack, and no thread of the bot is inside a page)."""
        processes = self.workers - 1
        if processes > 0 and (self._executor is not None or self._queued):
            current = self._executor is not None and rules is self._rules
            if not current and not self._own_busy and not self._in_workers:
                self._start_workers(rules)
                current = True
            if current and self._in_workers < processes:
                return "worker"
            if current and self._ahead(processes):
                return None
        if self._own_busy:
            self._queued = True
            return None
        return "own"

    def _ahead(self, processes: int) -> bool:
        """The bot's process has used more CPU since the workers started than one worker (it
        also fetches and stores): the page waits for a worker, so both cores do equal work."""
        if self._forked_at_cpu is None:
            return False
        own = time.process_time() - self._forked_at_cpu
        return own > self._worker_cpu / processes

    async def _digest_here(
        self, html: str, fetched_url: str, rules: RuleSet, source_id: str
    ) -> DigestedPage:
        if self._own is None:
            self._own = ThreadPoolExecutor(1, thread_name_prefix="newsbot-digest")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._own, digest_page, html, fetched_url, rules, source_id
        )

    async def _digest_in_worker(
        self, html: str, fetched_url: str, rules: RuleSet, source_id: str
    ) -> DigestedPage:
        executor = self._executor
        assert executor is not None and rules is self._rules
        loop = asyncio.get_running_loop()
        try:
            page, cpu_s = await loop.run_in_executor(
                executor, _digest_in_worker, html, fetched_url, source_id
            )
        except BrokenProcessPool as exc:
            if self._executor is executor:
                self._broken(executor)
            raise PageCrashed(f"the worker cleaning {fetched_url} died") from exc
        self._served, self._stillborn = True, 0
        self._worker_cpu += cpu_s
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

    def _start_workers(self, rules: RuleSet) -> None:
        if self._executor is not None:
            self._retired.append(self._executor)  # finishes its pages with the old rules
            self._executor.shutdown(wait=False)
        if self._forked_at_cpu is None:
            self._forked_at_cpu = time.process_time()
        if self.start_method == "fork":
            _preload()
            # What lives now (modules, language model, rules) is shared with the workers:
            # keep the collector's writes off it on both sides of the fork.
            gc.collect()
            gc.freeze()
        self._executor = ProcessPoolExecutor(
            self.workers - 1,
            mp_context=multiprocessing.get_context(self.start_method),
            initializer=_start_worker,
            initargs=(rules, self.start_method),
        )
        with warnings.catch_warnings():
            # Python 3.12 warns at every fork of a process that has threads. The bot's digest
            # thread is between pages here; its other threads wait on queues or sockets.
            warnings.simplefilter("ignore", DeprecationWarning)
            self._executor.submit(int)  # the workers start now, not with the next page
        self._rules = rules
        self._served = False

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
        if self._own is not None:
            self._own.shutdown(wait=False, cancel_futures=True)
            self._own = None
