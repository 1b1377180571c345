"""Sources: their health, the items they listed, the validators of the URLs they watch."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.engine import Connection

from bot.delivery.plan import SourceRun
from bot.model import Validators
from bot.sources.health import SourceHealth
from bot.store.base import StoreBase
from bot.store.schema import fetch_cache, seen_items, source_state

_HEALTH_FIELDS = (
    "status",
    "first_run_at",
    "last_run_at",
    "last_success_at",
    "last_error",
    "last_error_at",
    "consecutive_failures",
    "blocked_count",
    "walled_runs",
    "items_found",
    "last_new_at",
    "next_check_at",
    "reported",
)
_VALIDATOR_FIELDS = ("etag", "last_modified", "content_hash", "updated_at")


class SourceRecords:
    """What newsbot knows about each source between its runs."""

    def __init__(self, db: StoreBase) -> None:
        self.db = db
        # Every source run reads and writes these, so they are built once, not per call.
        self._health_of = select(source_state).where(
            source_state.c.source_id == bindparam("source_id")
        )
        self._validators_of = select(
            fetch_cache.c.etag, fetch_cache.c.last_modified, fetch_cache.c.content_hash
        ).where(fetch_cache.c.url == bindparam("url"))
        self._write_health = db._upsert(source_state, "source_id", _HEALTH_FIELDS)
        self._write_validators = db._upsert(fetch_cache, "url", _VALIDATOR_FIELDS)

    # -- seen items ------------------------------------------------------------------------

    def unseen_items(self, source_id: str, keys: Sequence[str]) -> list[str]:
        if not keys:
            return []
        wanted = list(dict.fromkeys(keys))
        seen: set[str] = set()
        with self.db._tx() as conn:
            for start in range(0, len(wanted), 500):
                rows = conn.execute(
                    select(seen_items.c.item_key).where(
                        seen_items.c.source_id == source_id,
                        seen_items.c.item_key.in_(wanted[start : start + 500]),
                    )
                )
                seen.update(row[0] for row in rows)
        return [key for key in wanted if key not in seen]

    def items_per_day(self, source_id: str, *, now: float, days: float = 7.0) -> float:
        with self.db._tx() as conn:
            count = conn.execute(
                select(func.count()).where(
                    seen_items.c.source_id == source_id,
                    seen_items.c.first_seen_at >= now - days * 86400,
                )
            ).scalar_one()
        return int(count) / days

    # -- fetch validators ------------------------------------------------------------------

    def fetch_validators(self, url: str) -> Validators | None:
        with self.db._tx() as conn:
            row = conn.execute(self._validators_of, {"url": url}).first()
        if row is None:
            return None
        return Validators(row.etag, row.last_modified, row.content_hash)

    # -- health ----------------------------------------------------------------------------

    def source_health(self, source_id: str) -> SourceHealth:
        with self.db._tx() as conn:
            row = conn.execute(self._health_of, {"source_id": source_id}).mappings().first()
        return _health(row) if row is not None else SourceHealth(source_id)

    def source_statuses(self) -> dict[str, SourceHealth]:
        with self.db._tx() as conn:
            rows = conn.execute(select(source_state)).mappings().all()
        return {row["source_id"]: _health(row) for row in rows}

    # -- the end of a run (inside the run's transaction) -----------------------------------

    def write_run(self, conn: Connection, run: SourceRun) -> None:
        """Items seen, validators of watched URLs, the new health."""
        self._mark_seen(conn, run.source_id, run.seen_keys, run.now)
        for url, validators in run.validators:
            self._remember(conn, url, validators, run.now)
        self._save_health(conn, run.health)

    def _mark_seen(self, conn: Connection, source_id: str, keys: Iterable[str], now: float) -> None:
        rows = [{"source_id": source_id, "item_key": k, "first_seen_at": now} for k in keys]
        if rows:
            conn.execute(self.db._insert_ignore(seen_items), rows)

    def _remember(self, conn: Connection, url: str, validators: Validators, now: float) -> None:
        conn.execute(
            self._write_validators,
            {
                "url": url,
                "etag": validators.etag,
                "last_modified": validators.last_modified,
                "content_hash": validators.content_hash,
                "updated_at": now,
            },
        )

    def _save_health(self, conn: Connection, health: SourceHealth) -> None:
        values = {name: getattr(health, name) for name in _HEALTH_FIELDS}
        conn.execute(self._write_health, {"source_id": health.source_id, **values})


def _health(row: Any) -> SourceHealth:
    values = {name: row[name] for name in _HEALTH_FIELDS}
    values["walled_runs"] = values["walled_runs"] or 0
    values["reported"] = values["reported"] or "ok"
    return SourceHealth(source_id=row["source_id"], **values)
