"""``newsbot run``: wire config, storage, fetcher, scheduler and Telegram together and run."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot import metrics
from bot.config import Config, load_config
from bot.delivery.pacing import Pacer
from bot.errors import ConfigError, StorageError
from bot.fetch.client import Fetcher
from bot.model import Source
from bot.runtime import heap
from bot.runtime.deliver import Deliverer, DeliverReport, DeliverySettings, Sender
from bot.runtime.extras import needs_extra
from bot.runtime.service import CheckReport, Deps, check_source
from bot.runtime.workers import PagePool
from bot.sources.backfill import first_run_note
from bot.store import Store
from bot.store.snapshot import snapshot
from bot.store.workbench import text_keeper
from bot.wording import count

if TYPE_CHECKING:
    from bot.telegram.link import TelegramLink
    from bot.web.serve import WebServer

log = logging.getLogger("newsbot.run")

CONFIG_WATCH_S = 2.0
HEARTBEAT_S = 5.0  # the scheduler's heartbeat for /healthz


def _stamp(path: Path | None) -> tuple[float, int] | None:
    try:
        stat = path.stat() if path else None
    except OSError:
        return None
    return (stat.st_mtime, stat.st_size) if stat else None


class Runtime:
    """The running bot: current config, adapters, and the jobs the scheduler calls.

    ``config`` is replaced as a whole on reload; every job reads it once when it starts, so a
    reload takes effect between cycles and never in the middle of one.
    """

    def __init__(
        self,
        config: Config,
        *,
        out: TextIO | None = None,
        config_path: Path | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``clock`` (UTC epoch seconds) is the one every job of the bot reads."""
        self.config = config
        self.clock = clock
        self.config_path = config_path
        self._config_stamp = _stamp(config_path)
        self.on_sources_changed: Callable[[Config], None] | None = None
        self._delivering = asyncio.Lock()
        self.store = Store(config.database_url)
        self.fetcher = Fetcher(config.fetch)
        self.pages = PagePool(config.fetch.workers or None)
        keep = text_keeper(self.store.db, lambda: self.config.web.keep_text_s)  # web workbench
        self.deps = Deps(self.store, self.fetcher, clock, pages=self.pages, keep_texts=keep)
        self.telegram: TelegramLink | None = None
        self._out = out
        self._deliverer: Deliverer | None = None
        if config.telegram.token:
            # python-telegram-bot is imported only when there is a token: a run without one
            # starts fetching sooner.
            from bot.telegram.admin import AdminHooks, explain_url
            from bot.telegram.link import TelegramLink

            self.telegram = TelegramLink(
                token=config.telegram.token,
                api_base_url=config.telegram.api_base_url,
                store=self.store,
                rules=lambda: self.config.rules,
                clock=clock,
                link_preview=config.telegram.link_preview,
                poll_timeout_s=config.telegram.poll_timeout_s,
                send_concurrency=config.telegram.send_concurrency,
                send_timeout_s=config.telegram.send_timeout_s,
                admin=AdminHooks(
                    admins=lambda: self.config.telegram.admins,
                    reload=self.reload,
                    test_url=lambda url: explain_url(url, self.fetcher, self.config.rules),
                    last_cycle=lambda: self.last_delivery_at,
                ),
            )
        self.last_delivery_at: float | None = None
        self.scheduler_beat: float | None = None  # the scheduler's heartbeat job (/healthz)
        heap.settle()  # the compiled rules live as long as the config: keep GC passes off them

    @property
    def deliverer(self) -> Deliverer:
        """The outbox sender, made on first use (the console sender without a token)."""
        if self._deliverer is None:
            sender: Sender
            if self.telegram:
                sender = self.telegram
            else:
                from bot.telegram.console import ConsoleSender

                sender = ConsoleSender(self._out or sys.stdout)
            self._deliverer = Deliverer(
                self.store,
                sender,
                pacer=Pacer(
                    global_per_s=self.config.telegram.global_rate,
                    time_scale=self.config.telegram.pacing_scale,
                ),
                settings=DeliverySettings(
                    concurrency=self.config.telegram.send_concurrency,
                    # a rejected token is asked about again (getMe) every few delivery rounds
                    token_probe_s=max(1.0, 5 * self.config.telegram.deliver_every_s),
                ),
                clock=self.clock,
                on_token_back=self._tell_admins,
            )
        return self._deliverer

    async def _tell_admins(self, text: str) -> None:
        if self.telegram:
            await self.telegram.notify_admins(self.config.telegram.admins, text)

    async def open(self) -> None:
        # One bot per database, and a database that takes writes, before the outbox is touched.
        self.store.lock_instance()
        self.store.check_writable()
        requeued = self.store.requeue_interrupted()
        if requeued:
            log.info("%d deliveries interrupted by the last stop are queued again", requeued)
        if self.telegram:
            await self.telegram.open()

    async def close(self) -> None:
        # Only a deliverer that was made can hold unrecorded outcomes: making one here would
        # import the Telegram stack just to close.
        writes = self._deliverer.writes if self._deliverer is not None else None
        if writes is not None and not writes.flush():
            log.error(
                "%d delivery outcomes could not be recorded (the database refuses writes);"
                " those sends may be repeated after the restart",
                writes.unrecorded,
            )
        if self.telegram:
            await self.telegram.close()
        await self.fetcher.aclose()
        await asyncio.to_thread(self.pages.close)
        self.store.close()

    async def reload(self) -> str:
        """Load the config file again; on error keep the running config and tell the admins."""
        if self.config_path is None:
            return "no config file to reload"
        self._config_stamp = _stamp(self.config_path)
        try:
            new = load_config(self.config_path)
            failures = new.topic_test_failures()
            if failures:
                raise failures[0]
        except (ConfigError, RecursionError, MemoryError, ValueError, TypeError) as exc:
            # ConfigError is the expected case; the others would be a loader bug on a hostile
            # file, and a running bot must survive those too.
            if not isinstance(exc, ConfigError):
                log.exception("config reload failed unexpectedly")
            message = f"config reload failed, keeping the previous rules: {exc}"
            metrics.RELOADS.labels("refused").inc()
            log.error("%s", message)
            if self.telegram:
                await self.telegram.notify_admins(self.config.telegram.admins, message)
            return message
        new = replace(new, telegram=replace(new.telegram, token=self.config.telegram.token))
        old, self.config = self.config, new
        metrics.RELOADS.labels("ok").inc()
        heap.settle()
        if old.sources != new.sources and self.on_sources_changed:
            self.on_sources_changed(new)
        message = (
            f"config reloaded: {count(len(new.sources), 'source')}, "
            f"{count(len(new.rules.topics), 'topic')}"
        )
        log.info("%s", message)
        return message

    async def beat(self) -> None:
        """The scheduler's heartbeat: /healthz reads it to tell a stalled scheduler."""
        self.scheduler_beat = self.clock()

    async def reload_if_changed(self) -> None:
        """Reload when the config file's modification time or size changed."""
        if self.config_path is not None and _stamp(self.config_path) != self._config_stamp:
            await self.reload()

    async def check(self, source: Source) -> CheckReport:
        config = self.config
        source = config.source(source.id) or source
        try:
            report = await check_source(source, config, self.deps)
        except StorageError as exc:  # disk full, database locked: the next run tries again
            log.error("source %s: not checked, the database failed: %s", source.id, exc)
            return CheckReport(source_id=source.id, errors=(f"storage error: {exc}",))
        except Exception:  # a bug in one source's run must not stop the bot
            log.exception("source %s: unexpected error", source.id)
            return CheckReport(source_id=source.id, errors=("unexpected error",))
        log.info(
            "source %s: %s, %d blocked, %s, %s%s",
            source.id,
            count(report.pages, "page"),
            report.blocked,
            count(report.alerts, "alert"),
            count(len(report.errors), "error"),
            f" ({report.skipped})" if report.skipped else "",
        )
        if report.first_run:
            log.info("source %s: %s", source.id, baseline_note(source, report))
        if report.notice is not None:
            if self.telegram:
                await self.telegram.notify_admins(config.telegram.admins, report.notice.text)
            else:
                log.warning("admin notice: %s", report.notice.text)
        return report

    async def deliver(self) -> DeliverReport:
        async with self._delivering:
            self.last_delivery_at = self.clock()
            try:
                return await self.deliverer.round()
            except Exception:
                log.exception("delivery round failed")
                return DeliverReport()

    async def finish_delivering(self, timeout_s: float = 15.0) -> None:
        """Wait for a delivery round in progress, so a graceful stop records what it sent.

        The round sends nothing new: messages in flight finish, the rest waits for the next start.
        """
        if self._deliverer is not None:
            self._deliverer.stop()
        try:
            async with asyncio.timeout(timeout_s):
                async with self._delivering:
                    pass
        except TimeoutError:
            log.warning("stopping with a delivery round still running; it is resumed at start")

    async def deliver_until_idle(self) -> DeliverReport:
        """Send everything due now; stop when a round sends nothing more."""
        total = DeliverReport()
        while True:
            report = await self.deliver()
            total = total + report
            if report.sent == 0 and report.failed == 0:
                return total


def baseline_note(source: Source, report: CheckReport) -> str:
    """What the first run of ``source`` recorded without alerting, and how to get alerts."""
    return first_run_note(
        source.kind,
        recorded_only=report.recorded_only,
        pages=report.pages,
        backfill_s=source.backfill_s,
    )


def database_label(url: str) -> str:
    """The database URL as it may be shown: the password hidden."""
    from sqlalchemy.engine.url import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "an invalid database URL"


def announce(config: Config, *, dry_run: bool = False) -> None:
    """Say at start where alerts go, what was loaded and where the database is."""
    if dry_run:
        where = "dry run: alerts are printed, nothing is sent or recorded"
    elif config.telegram.token:
        where = "alerts go to Telegram (token from TELEGRAM_BOT_TOKEN)"
    else:
        where = "no TELEGRAM_BOT_TOKEN (unset or empty): alerts are printed on the console"
    log.info("%s", where)
    log.info(
        "loaded %s and %s from %s; database: %s",
        count(len(config.sources), "source"),
        count(len(config.rules.topics), "topic"),
        config.file,
        database_label(config.database_url),
    )


async def run_once(
    config: Config, *, out: TextIO | None = None
) -> tuple[list[CheckReport], DeliverReport]:
    """Answer waiting commands, run every source once, deliver what is due, return."""
    announce(config)
    runtime = Runtime(config, out=out)
    try:
        await runtime.open()
        if runtime.telegram:
            await runtime.telegram.process_pending_updates()
        # Sources run side by side (the fetcher keeps its host and overall limits) so that
        # while one page is cleaned in a worker the next ones are fetched.
        running = asyncio.Semaphore(config.fetch.concurrency)

        async def check(source: Source) -> CheckReport:
            async with running:
                return await runtime.check(source)

        reports = list(await asyncio.gather(*(check(source) for source in config.sources)))
        delivered = await runtime.deliver_until_idle()
        return reports, delivered
    finally:
        await runtime.close()


async def dry_run_once(config: Config) -> list[CheckReport]:
    """Run every source once on a copy of the database: fetch, clean, match and plan alerts
    as a real run would, then throw the copy away. Nothing is sent, the database is untouched."""
    announce(config, dry_run=True)
    with snapshot(config.database_url) as copy:
        store = Store(copy)
        fetcher = Fetcher(config.fetch)
        deps = Deps(store=store, fetcher=fetcher, clock=time.time)
        try:
            return [await check_source(source, config, deps) for source in config.sources]
        finally:
            await fetcher.aclose()
            store.close()


async def run_forever(config: Config, config_path: Path | None = None) -> None:
    """Run until SIGINT or SIGTERM; SIGHUP or an edited config file reloads the config."""
    from bot.runtime.scheduler import SourceScheduler

    announce(config)
    runtime = Runtime(config, config_path=config_path)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    reloads: set[asyncio.Task[str]] = set()

    def on_sighup() -> None:
        task = loop.create_task(runtime.reload())
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    loop.add_signal_handler(signal.SIGHUP, on_sighup)
    scheduler = SourceScheduler()

    def schedule_sources(current: Config) -> None:
        scheduler.remove_sources()
        for source in current.sources:
            scheduler.add_source(source, runtime.check)

    runtime.on_sources_changed = schedule_sources
    web: WebServer | None = None
    try:
        await runtime.open()
        schedule_sources(config)
        scheduler.add_periodic("deliver", config.telegram.deliver_every_s, runtime.deliver)
        scheduler.add_periodic("config-watch", CONFIG_WATCH_S, runtime.reload_if_changed)
        scheduler.add_periodic("heartbeat", HEARTBEAT_S, runtime.beat)
        scheduler.start()
        if config.web.listen:
            with needs_extra("web", "web.listen"):
                from bot.runtime.web_run import start_web
            web = await start_web(runtime, config.web.listen)
        if runtime.telegram:
            await runtime.telegram.start_polling()
        log.info("newsbot running; Ctrl-C or SIGTERM stops it")
        await stop.wait()
        log.info("stopping")
    finally:
        # APScheduler's shutdown cancels running jobs: let the delivery round in progress
        # finish first, so every message it sent is recorded as sent.
        scheduler.pause()
        if web is not None:
            await web.stop()
        await runtime.finish_delivering()
        scheduler.shutdown()
        await runtime.close()
