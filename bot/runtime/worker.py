"""``newsbot worker``: one of any number of processes, on any number of machines, sharing one
PostgreSQL. Each runs the Procrastinate worker (``bot.runtime.tasks``: source checks, the
periodic tick) around the same ``Runtime`` as ``newsbot run``, and competes for two roles that
exactly one process holds at a time: the **sender** (the outbox loop, keeping the global rate
and per-chat pacing) and the **poller** (Telegram's ``getUpdates``: a second consumer of one
token gets 409 Conflict). A role is a PostgreSQL advisory lock (``bot.store.postgres``); when
its holder dies the lock goes with its session and another worker takes the role within a
second or two. Every worker watches the config file (and takes SIGHUP), so a reload reaches all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.config import Config
from bot.errors import DatabaseInUse, StorageError
from bot.runtime.runner import CONFIG_WATCH_S, Runtime, announce
from bot.store.instance import INSTANCE_LOCK_KEY
from bot.store.postgres import RoleLock, install_once, recent_sends

log = logging.getLogger("newsbot.worker")

ROLE_RETRY_S = 1.0


def conninfo(config: Config) -> str:
    """The libpq URL of the configured PostgreSQL (Procrastinate's connector takes that form)."""
    from sqlalchemy.engine.url import make_url

    url = make_url(config.database_url)
    if url.get_backend_name() not in ("postgresql", "postgres"):
        raise StorageError(
            f"`newsbot worker` needs PostgreSQL (storage.url: postgresql://…), not"
            f" {url.drivername}; one machine with SQLite runs `newsbot run`"
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def run_worker(
    config: Config, config_path: Path | None, *, concurrency: int, stalled_after_s: float
) -> None:
    """Run until SIGINT or SIGTERM (Procrastinate finishes the jobs in progress first)."""
    from bot.runtime.tasks import build_app

    info = conninfo(config)
    if not log.isEnabledFor(logging.DEBUG):  # a line per job is noise; `-v` shows them
        logging.getLogger("procrastinate").setLevel(logging.WARNING)
    announce(config)
    runtime = Runtime(config, config_path=config_path)
    app = build_app(
        info,
        store=runtime.store,
        sources=lambda: runtime.config.sources,
        check=runtime.check,
        stalled_after_s=stalled_after_s,
    )
    roles: list[asyncio.Task[None]] = []
    sender, poller = RoleLock(runtime.store, "sender"), RoleLock(runtime.store, "poller")
    workers = RoleLock(runtime.store, "workers", key=INSTANCE_LOCK_KEY, shared=True)
    try:
        await _join(runtime, workers, app.schema_manager.get_schema())
        roles += _start_roles(runtime, sender, poller)
        asyncio.get_running_loop().add_signal_handler(
            signal.SIGHUP, lambda: roles.append(_spawn(runtime.reload()))
        )
        async with app.open_async():
            log.info("worker running (%d jobs at once); Ctrl-C or SIGTERM stops it", concurrency)
            await app.run_worker_async(
                concurrency=concurrency,
                queues=["ticks", "checks"],
                delete_jobs="successful",
                update_heartbeat_interval=max(0.5, stalled_after_s / 5),
                stalled_worker_timeout=stalled_after_s,
                fetch_job_polling_interval=1.0,
            )
    finally:
        if sender.held:  # let the round in progress finish and record what it sent
            await runtime.finish_delivering()
        for task in roles:
            task.cancel()
        await asyncio.gather(*roles, return_exceptions=True)
        await runtime.close()
        sender.release()
        poller.release()
        workers.release()


async def _join(runtime: Runtime, workers: RoleLock, job_schema: str) -> None:
    """Take this worker's share of the database, check that it takes writes, install the job
    queue's schema if no worker did yet, and connect to Telegram."""
    from bot.runtime.tasks import JOB_SCHEMA_MARKER

    if not workers.try_acquire():
        raise DatabaseInUse(
            "a `newsbot run` holds this database; stop it (or `newsbot db copy` to a new one)"
            " before starting workers: one bot per database, whatever its runtime"
        )
    runtime.store.check_writable()
    if install_once(runtime.store, JOB_SCHEMA_MARKER, job_schema):
        log.info("job queue schema installed")
    if runtime.telegram:
        await runtime.telegram.open()


def _start_roles(runtime: Runtime, sender: RoleLock, poller: RoleLock) -> list[asyncio.Task[None]]:
    """The config watch, and the loops that wait for the sender and poller roles."""
    tasks = [
        _spawn(_every(CONFIG_WATCH_S, runtime.reload_if_changed)),
        _spawn(_send_while_held(runtime, sender)),
    ]
    if runtime.telegram:
        tasks.append(_spawn(_poll_while_held(runtime, poller)))
    return tasks


def _spawn(coro: Awaitable[object]) -> asyncio.Task[None]:
    async def run() -> None:
        await coro

    return asyncio.get_running_loop().create_task(run())


async def _every(seconds: float, job: Callable[[], Awaitable[object]]) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            await job()
        except Exception:
            log.exception("periodic job failed")


async def _take(role: RoleLock) -> None:
    """Wait until this process holds ``role`` (retrying every second while another holds it)."""
    while True:
        with contextlib.suppress(StorageError):
            if await asyncio.to_thread(role.try_acquire):
                log.info("this worker holds the %s role now", role.name)
                return
        await asyncio.sleep(ROLE_RETRY_S)


async def _send_while_held(runtime: Runtime, role: RoleLock) -> None:
    """The outbox loop, in the one worker holding the sender role."""
    while True:
        await _take(role)
        _pace_after_takeover(runtime)
        while await asyncio.to_thread(lambda: role.held):
            await runtime.deliver()
            await asyncio.sleep(runtime.config.telegram.deliver_every_s)
        log.warning("lost the sender role (database connection gone); trying to take it again")


def _pace_after_takeover(runtime: Runtime) -> None:
    """A new sender continues the pacing of the last one: the sends recorded within the longest
    pacing window count against the limits, and when the last sender died with sends in flight
    (requeued now) every chat waits one window, since those may have reached Telegram."""
    pacer = runtime.deliverer.pacer
    now = time.time()
    window = pacer.limits.group_window_s
    for chat_id, sent_at in recent_sends(runtime.store, now - window):
        pacer.record_send(chat_id, sent_at)
    requeued = runtime.store.requeue_interrupted()
    if requeued:
        log.info("%d deliveries the last sender left in flight are queued again", requeued)
        pacer.block(None, now + window)


async def _poll_while_held(runtime: Runtime, role: RoleLock) -> None:
    """Telegram's getUpdates long poll, in the one worker holding the poller role."""
    assert runtime.telegram is not None
    await _take(role)
    await runtime.telegram.start_polling()
    while await asyncio.to_thread(lambda: role.held):
        await asyncio.sleep(ROLE_RETRY_S * 5)
    # Another worker may be polling already: stop this whole worker rather than risk two
    # consumers; its supervisor (compose, systemd) starts it again as a plain worker.
    log.error("lost the poller role (database connection gone): stopping this worker")
    os.kill(os.getpid(), signal.SIGTERM)


def health() -> None:
    """The container health check: the config loads and its PostgreSQL answers; else exit 1
    with the reason on stderr."""
    from bot.config import default_config_path, load_config
    from bot.errors import NewsbotError
    from bot.store import Store

    try:
        config = load_config(default_config_path(os.environ))
        conninfo(config)
        store = Store(config.database_url)
        try:
            store.get_setting("opened_at")
        finally:
            store.close()
    except NewsbotError as exc:
        raise SystemExit(f"newsbot worker unhealthy: {exc}") from None
