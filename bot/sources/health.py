"""Source health: from the last known health and one run's result, the new health and the
notice admins should get, if any (pure).

A source is *failing* after ``failures_before_notice`` consecutive failed runs, *walled* when
every page of its last run was a consent or subscription wall, and *stale* when it found
nothing new for longer than its ``expect_new`` period. Admins hear once when a source enters a
bad condition (or moves to another one) and once when it recovers, never on every run.
A failing source rests between runs: exponential backoff with jitter, capped, and at least
what the site asked for with Retry-After.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal

from bot.wording import count

Condition = Literal["ok", "failing", "walled", "stale"]


def backoff_s(failures: int, *, interval_s: float, cap_s: float, rand: float) -> float:
    """How long a source rests after ``failures`` consecutive failures (pure).

    Doubles from the source's interval with each failure, capped at ``cap_s``; "equal jitter"
    keeps between half and all of that so failing sources do not retry in lockstep.
    ``rand`` is a number in [0, 1).
    """
    if failures <= 0:
        return 0.0
    full = min(cap_s, interval_s * 2.0 ** (failures - 1))
    full = max(full, interval_s)
    return full / 2 + (full / 2) * rand


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """What we know about a source's recent runs."""

    source_id: str
    status: str = "new"
    first_run_at: float | None = None
    last_run_at: float | None = None
    last_success_at: float | None = None
    last_error: str | None = None
    last_error_at: float | None = None
    consecutive_failures: int = 0
    blocked_count: int = 0
    walled_runs: int = 0
    items_found: int = 0
    last_new_at: float | None = None
    next_check_at: float | None = None
    reported: Condition = "ok"

    @property
    def first_run(self) -> bool:
        """True until a run succeeds: that run records what exists."""
        return self.last_success_at is None


@dataclass(frozen=True, slots=True)
class RunResult:
    """One run of a source, as health sees it."""

    now: float
    error: str | None = None
    retry_after: float | None = None
    new_items: int = 0
    pages: int = 0
    blocked: int = 0


@dataclass(frozen=True, slots=True)
class HealthPolicy:
    interval_s: float
    failures_before_notice: int = 3
    backoff_max_s: float = 21600.0
    expect_new_s: float | None = None


@dataclass(frozen=True, slots=True)
class Notice:
    """A message for the admins about one source."""

    source_id: str
    condition: Condition
    text: str


def condition_of(health: SourceHealth, policy: HealthPolicy, now: float) -> Condition:
    if health.consecutive_failures >= policy.failures_before_notice:
        return "failing"
    if health.walled_runs > 0:
        return "walled"
    since = health.last_new_at if health.last_new_at is not None else health.first_run_at
    if policy.expect_new_s and since is not None and now - since > policy.expect_new_s:
        return "stale"
    return "ok"


def assess(
    old: SourceHealth, result: RunResult, policy: HealthPolicy, *, rand: float
) -> tuple[SourceHealth, Notice | None]:
    """The health after ``result``, and a notice when the reported condition changes."""
    now = result.now
    first = old.first_run_at if old.first_run_at is not None else now
    new = replace(old, last_run_at=now, first_run_at=first)
    if result.error is not None:
        failures = old.consecutive_failures + 1
        rest = backoff_s(
            failures, interval_s=policy.interval_s, cap_s=policy.backoff_max_s, rand=rand
        )
        rest = max(rest, min(result.retry_after or 0.0, policy.backoff_max_s))
        new = replace(
            new,
            status="failing",
            last_error=result.error,
            last_error_at=now,
            consecutive_failures=failures,
            next_check_at=now + rest if failures > 1 or result.retry_after else None,
        )
    else:
        walled = result.pages > 0 and result.blocked == result.pages
        new = replace(
            new,
            status="blocked" if result.blocked else "ok",
            last_success_at=now,
            consecutive_failures=0,
            blocked_count=old.blocked_count + result.blocked,
            walled_runs=old.walled_runs + 1 if walled else (0 if result.pages else old.walled_runs),
            items_found=old.items_found + result.new_items,
            last_new_at=now if result.new_items else old.last_new_at,
            next_check_at=now + result.retry_after if result.retry_after else None,
        )
    condition = condition_of(new, policy, now)
    if condition == old.reported:
        return new, None
    new = replace(new, reported=condition)
    return new, Notice(old.source_id, condition, _notice_text(new, condition, policy, now))


def _notice_text(
    health: SourceHealth, condition: Condition, policy: HealthPolicy, now: float
) -> str:
    name = f"source {health.source_id}"
    if condition == "failing":
        return (
            f"⚠ {name} is failing: {count(health.consecutive_failures, 'run')} in a row, "
            "last error: "
            f"{health.last_error}"
        )
    if condition == "walled":
        return f"⚠ {name} only shows a consent or subscription wall; nothing can be read from it"
    if condition == "stale":
        since = health.last_new_at or health.first_run_at or now
        return (
            f"⚠ {name} has found nothing new since {_when(since)} "
            f"(expected something every {_duration(policy.expect_new_s or 0)})"
        )
    return f"✔ {name} works again"


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"
