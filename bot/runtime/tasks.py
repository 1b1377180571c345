"""The Procrastinate adapter: the job queue of ``newsbot worker``, in newsbot's PostgreSQL.

Three tasks. ``newsbot.tick`` is periodic (every second): Procrastinate lets every worker defer
it and its UNIQUE constraint lets one per second through (leaderless); it defers one
``newsbot.check`` job per due source, with ``queueing_lock`` (at most one queued per source)
and ``lock`` (at most one running per source). ``newsbot.check`` runs the same service function
as ``newsbot run`` (``Runtime.check``). ``newsbot.retry_stalled`` puts the jobs of a worker
that stopped sending heartbeats (killed, frozen, its machine gone) back in the queue.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from procrastinate import App, PsycopgConnector
from procrastinate.exceptions import AlreadyEnqueued

from bot.model import Source
from bot.sources.due import due_sources
from bot.store import Store

log = logging.getLogger("newsbot.worker")

CHECK_TASK = "newsbot.check"
TICK_EVERY = "* * * * * *"  # cron with a 6th column, seconds: every second
STALLED_EVERY = "* * * * * */5"
JOB_SCHEMA_MARKER = "procrastinate_jobs"


def source_lock(source_id: str) -> str:
    return f"source:{source_id}"


def build_app(
    conninfo: str,
    *,
    store: Store,
    sources: Callable[[], tuple[Source, ...]],
    check: Callable[[Source], Awaitable[object]],
    stalled_after_s: float,
) -> App:
    """The Procrastinate app with newsbot's tasks; ``sources`` gives the current config's
    sources (a reload changes them) and ``check`` runs one source (``Runtime.check``)."""
    app = App(connector=PsycopgConnector(conninfo=conninfo))

    @app.task(name=CHECK_TASK, queue="checks")
    async def check_job(source_id: str) -> None:
        source = next((s for s in sources() if s.id == source_id), None)
        if source is None:  # removed by a config reload since it was deferred
            log.info("source %s: no longer configured, not checked", source_id)
            return
        await check(source)

    @app.periodic(cron=TICK_EVERY, periodic_id="tick")
    @app.task(name="newsbot.tick", queue="ticks", priority=10, queueing_lock="tick", lock="tick")
    async def tick(timestamp: int) -> None:
        await defer_due_checks(app, store, sources())

    @app.periodic(cron=STALLED_EVERY, periodic_id="stalled")
    @app.task(  # with a lock: two at once would both retry one job, which would run twice
        name="newsbot.retry_stalled",
        queue="ticks",
        priority=10,
        queueing_lock="stalled",
        lock="stalled",
    )
    async def retry_stalled(timestamp: int) -> None:
        manager = app.job_manager
        for job in await manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after_s):
            log.warning("job %s (%s) of a dead worker: queued again", job.id, job.call_string)
            await manager.retry_job(job)

    del check_job, tick, retry_stalled  # registered on the app
    return app


async def defer_due_checks(app: App, store: Store, sources: tuple[Source, ...]) -> int:
    """Defer a check of every due source that has none queued or running; how many."""
    busy = await _busy_sources(app)
    health = store.source_statuses()
    task: Any = app.tasks[CHECK_TASK]
    deferred = 0
    for source in due_sources(sources, health, time.time()):
        if source.id in busy:
            continue
        lock = source_lock(source.id)
        try:
            await task.configure(lock=lock, queueing_lock=lock).defer_async(source_id=source.id)
        except AlreadyEnqueued:  # another tick got there first
            continue
        deferred += 1
    return deferred


async def _busy_sources(app: App) -> set[str]:
    """Sources with a check job waiting or running (a stalled one counts until it is retried)."""
    busy: set[str] = set()
    for status in ("todo", "doing"):
        for job in await app.job_manager.list_jobs_async(task=CHECK_TASK, status=status):
            busy.add(str(job.task_kwargs.get("source_id")))
    return busy
