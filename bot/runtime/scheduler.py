"""The scheduler adapter: APScheduler 3 runs each source at its interval, never overlapping."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.model import Source


class SourceScheduler:
    """One interval job per source (with jitter, one run at a time) plus periodic jobs."""

    def __init__(self) -> None:
        self._scheduler = AsyncIOScheduler(timezone=UTC)

    def add_source(self, source: Source, run: Callable[[Source], Awaitable[object]]) -> None:
        self._scheduler.add_job(
            run,
            "interval",
            args=[source],
            seconds=source.interval_s,
            jitter=source.jitter_s or None,
            id=f"source:{source.id}",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC),
            replace_existing=True,
        )

    def add_periodic(self, name: str, every_s: float, run: Callable[[], Awaitable[object]]) -> None:
        self._scheduler.add_job(
            run,
            "interval",
            seconds=every_s,
            id=name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC),
            replace_existing=True,
        )

    def remove_sources(self) -> None:
        for job in self._scheduler.get_jobs():
            if job.id.startswith("source:"):
                job.remove()

    def start(self) -> None:
        self._scheduler.start()

    def pause(self) -> None:
        """Start no new runs; runs in progress go on (``shutdown`` would cancel them)."""
        if self._scheduler.running:
            self._scheduler.pause()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
