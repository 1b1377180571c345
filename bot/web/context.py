"""What the web app works with: the bot's config, store, fetcher and hooks, and its health.

``newsbot run`` lends the running bot's (config swapped on reload, the SIGHUP reload path, the
scheduler's and delivery loop's last beats); ``newsbot web`` alone builds its own and is
read-only (no saving rules, no retrying deliveries: no bot runs in the process to take them).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config import Config
from bot.errors import StorageError
from bot.fetch.client import Fetcher
from bot.store import Store
from bot.store.workbench import probe

SCHEDULER_STALE_S = 60.0  # the scheduler beats every HEARTBEAT_S; this long silent is a stall
HEARTBEAT_S = 5.0
DB_PROBE_TIMEOUT_S = 5.0
LOOP_LAG_LIMIT_S = 1.0


@dataclass(frozen=True, slots=True)
class BotHooks:
    """What only a running bot provides: its reload path and when its loops last ran."""

    reload: Callable[[], Awaitable[str]]
    scheduler_beat: Callable[[], float | None]
    delivery_beat: Callable[[], float | None]


@dataclass(frozen=True, slots=True)
class WebContext:
    """The bot seen by the web app. ``bot`` is None for ``newsbot web`` on its own.
    ``source_rows`` is ``newsbot sources``' own function (runtime lends it: web sits below)."""

    config: Callable[[], Config]
    config_path: Path | None
    store: Store
    fetcher: Fetcher
    source_rows: Callable[[Config, Store, float], list[dict[str, Any]]]
    bot: BotHooks | None = None
    clock: Callable[[], float] = time.time

    @property
    def read_only(self) -> bool:
        return self.bot is None


def delivery_stale_s(config: Config) -> float:
    """How long the delivery loop may stay silent: ten of its periods, at least a minute."""
    return max(60.0, 10 * config.telegram.deliver_every_s)


async def health_problems(ctx: WebContext) -> list[str]:
    """Why the bot is not healthy (empty: healthy): a slow event loop, a database that does not
    answer, a scheduler or a delivery loop that has not run recently."""
    problems = []
    started = time.monotonic()
    await asyncio.sleep(0)
    lag = time.monotonic() - started
    if lag > LOOP_LAG_LIMIT_S:
        problems.append(f"event loop: answered after {lag:.1f}s")
    try:
        async with asyncio.timeout(DB_PROBE_TIMEOUT_S):
            await asyncio.to_thread(probe, ctx.store.db)
    except StorageError as exc:
        problems.append(f"database: {exc}")
    except TimeoutError:
        problems.append(f"database: no answer within {DB_PROBE_TIMEOUT_S:g}s")
    if ctx.bot is not None:
        now = ctx.clock()
        config = ctx.config()
        for name, beat, limit in (
            ("scheduler", ctx.bot.scheduler_beat(), SCHEDULER_STALE_S),
            ("delivery loop", ctx.bot.delivery_beat(), delivery_stale_s(config)),
        ):
            if beat is None:
                problems.append(f"{name}: has not run yet")
            elif now - beat > limit:
                problems.append(f"{name}: last ran {now - beat:.0f}s ago (limit {limit:g}s)")
    return problems
