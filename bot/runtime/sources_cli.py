"""``newsbot sources``: every configured source with its health, as a table or JSON."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from bot.config import Config
from bot.sources.health import HealthPolicy, SourceHealth, condition_of
from bot.store import Store
from bot.store.ports import SourcesStore


def source_rows(config: Config, store: SourcesStore, now: float) -> list[dict[str, Any]]:
    """One plain dict per configured source: what it is and how it is doing."""
    statuses = store.source_statuses()
    rows = []
    for source in config.sources:
        health = statuses.get(source.id) or SourceHealth(source.id)
        policy = HealthPolicy(
            interval_s=source.interval_s,
            failures_before_notice=config.fetch.failures_before_notice,
            expect_new_s=source.expect_new_s,
        )
        rows.append(
            {
                "id": source.id,
                "kind": source.kind,
                "url": source.url,
                "condition": shown_condition(health, policy, now),
                "last_success": _iso(health.last_success_at),
                "last_error": health.last_error,
                "last_error_at": _iso(health.last_error_at),
                "consecutive_failures": health.consecutive_failures,
                "walled_pages": health.blocked_count,
                "items_found": health.items_found,
                "items_per_day": round(store.items_per_day(source.id, now=now), 2),
                "last_new": _iso(health.last_new_at),
                "next_check": _iso(health.next_check_at),
            }
        )
    return rows


def shown_condition(health: SourceHealth, policy: HealthPolicy, now: float) -> str:
    """The condition a maintainer reads: ``new`` before any run; ``failing`` for a source that
    has never succeeded and failed (admins are told only after ``failures_before_notice``, but
    a source that never worked is not ``ok``); else the health condition."""
    if health.last_run_at is None:
        return "new"
    if health.last_success_at is None and health.consecutive_failures > 0:
        return "failing"
    return condition_of(health, policy, now)


def format_table(rows: list[dict[str, Any]]) -> str:
    header = ("source", "kind", "condition", "last success", "fails", "walled", "items/day")
    lines = [
        (
            r["id"],
            r["kind"],
            r["condition"],
            (r["last_success"] or "never")[:16].replace("T", " "),
            str(r["consecutive_failures"]),
            str(r["walled_pages"]),
            f"{r['items_per_day']:g}",
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]
    out = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *lines]
    ]
    for r in rows:
        if r["last_error"] and (r["condition"] != "ok" or r["consecutive_failures"]):
            out.append(f"{r['id']}: last error: {r['last_error']}")
    return "\n".join(out)


def show_sources(config: Config, *, as_json: bool) -> str:
    store = Store(config.database_url)
    try:
        rows = source_rows(config, store, time.time())
    finally:
        store.close()
    if as_json:
        return json.dumps({"sources": rows}, ensure_ascii=False, indent=2)
    return format_table(rows) if rows else "no sources configured"


def _iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    try:
        return datetime.fromtimestamp(epoch, UTC).isoformat()
    except (OverflowError, ValueError, OSError):  # a time past year 9999 (an old huge Retry-After)
        return "far future" if epoch > 0 else "far past"
