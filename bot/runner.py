"""``newsbot run``: wire config, storage, fetcher, scheduler and Telegram together and run."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import time
from typing import TextIO

from bot.config import Config
from bot.deliver import DeliverReport, Sender, deliver_due
from bot.fetch import Fetcher
from bot.model import Source
from bot.service import CheckReport, Deps, check_source
from bot.store import Store
from bot.telegram.link import ConsoleSender, TelegramLink

log = logging.getLogger("newsbot.run")


class Runtime:
    """The running bot: current config, adapters, and the jobs the scheduler calls."""

    def __init__(self, config: Config, *, out: TextIO | None = None) -> None:
        self.config = config
        self.store = Store(config.database_url)
        self.fetcher = Fetcher(config.fetch)
        self.deps = Deps(store=self.store, fetcher=self.fetcher, clock=time.time)
        self.telegram: TelegramLink | None = None
        self.sender: Sender
        if config.telegram.token:
            self.telegram = TelegramLink(
                token=config.telegram.token,
                api_base_url=config.telegram.api_base_url,
                store=self.store,
                rules=lambda: self.config.rules,
                clock=time.time,
                link_preview=config.telegram.link_preview,
                poll_timeout_s=config.telegram.poll_timeout_s,
            )
            self.sender = self.telegram
        else:
            self.sender = ConsoleSender(out or sys.stdout)

    async def open(self) -> None:
        requeued = self.store.requeue_interrupted()
        if requeued:
            log.info("%d deliveries interrupted by the last stop are queued again", requeued)
        if self.telegram:
            await self.telegram.open()

    async def close(self) -> None:
        if self.telegram:
            await self.telegram.close()
        await self.fetcher.aclose()
        self.store.close()

    async def check(self, source: Source) -> CheckReport:
        try:
            report = await check_source(source, self.config, self.deps)
        except Exception:  # a bug in one source's run must not stop the bot
            log.exception("source %s: unexpected error", source.id)
            return CheckReport(source_id=source.id, errors=("unexpected error",))
        log.info("source %s: %d pages, %d blocked, %d alerts, %d errors", source.id,
                 report.pages, report.blocked, report.alerts, len(report.errors))
        return report

    async def deliver(self) -> DeliverReport:
        try:
            return await deliver_due(self.store, self.sender, time.time)
        except Exception:
            log.exception("delivery round failed")
            return DeliverReport()

    async def deliver_until_idle(self) -> DeliverReport:
        """Send everything due now; stop when a round sends nothing more."""
        total = DeliverReport()
        while True:
            report = await self.deliver()
            total = DeliverReport(total.sent + report.sent, total.retried + report.retried,
                                  total.failed + report.failed)
            if report.sent == 0 and report.failed == 0:
                return total


async def run_once(config: Config, *, out: TextIO | None = None) -> tuple[list[CheckReport],
                                                                            DeliverReport]:
    """Answer waiting commands, run every source once, deliver what is due, return."""
    runtime = Runtime(config, out=out)
    try:
        await runtime.open()
        if runtime.telegram:
            await runtime.telegram.process_pending_updates()
        reports = [await runtime.check(source) for source in config.sources]
        delivered = await runtime.deliver_until_idle()
        return reports, delivered
    finally:
        await runtime.close()


async def run_forever(config: Config) -> None:
    """Run until SIGINT or SIGTERM."""
    from bot.scheduler import SourceScheduler

    runtime = Runtime(config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    scheduler = SourceScheduler()
    try:
        await runtime.open()
        for source in config.sources:
            scheduler.add_source(source, runtime.check)
        scheduler.add_periodic("deliver", config.telegram.deliver_every_s, runtime.deliver)
        scheduler.start()
        if runtime.telegram:
            await runtime.telegram.start_polling()
        log.info("newsbot running: %d sources, %d topics", len(config.sources),
                 len(config.rules.topics))
        await stop.wait()
        log.info("stopping")
    finally:
        scheduler.shutdown()
        await runtime.close()
