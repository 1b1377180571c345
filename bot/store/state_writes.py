"""Writing delivery outcomes to the outbox, even while the database refuses writes.

A send Telegram accepted must be recorded as ``sent``, or it is sent again after the next
requeue; a claimed delivery must go back to ``pending``, or its chat waits forever. So each
outcome is written with a few retries and backoff (a busy or briefly full database), and when
the database still refuses, it is kept here, in order, and written before anything new is
claimed (:meth:`StateWriter.flush`). Only a stop while the database refuses loses them; the
bot says so, and those sends may repeat after the restart (at-least-once).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Literal

from bot.errors import StorageError
from bot.store.ports import OutboxStore

log = logging.getLogger("newsbot.deliver")


@dataclass(frozen=True, slots=True)
class StateWrite:
    """One outbox state write: sent (with its message id), retry at ``at``, failed, or
    released back to ``pending`` unsent."""

    kind: Literal["sent", "retry", "failed", "release"]
    ids: tuple[int, ...]
    error: str = ""
    at: float = 0.0
    message_id: int | None = None


class StateWriter:
    """Writes outcomes; keeps the ones the database refused until :meth:`flush` succeeds."""

    def __init__(self, store: OutboxStore, *, tries: int = 5, backoff_s: float = 0.2) -> None:
        self.store = store
        self.tries = tries
        self.backoff_s = backoff_s
        self._backlog: list[StateWrite] = []

    @property
    def unrecorded(self) -> int:
        """Deliveries whose last outcome is known here but not yet written to the database."""
        return sum(len(o.ids) for o in self._backlog)

    def flush(self) -> bool:
        """Write the kept outcomes, oldest first; False while the database still refuses."""
        if not self._backlog:
            return True
        while self._backlog:
            try:
                self._apply(self._backlog[0])
            except StorageError as exc:
                log.warning("%d delivery outcomes still unrecorded: %s", self.unrecorded, exc)
                return False
            self._backlog.pop(0)
        log.info("every delivery outcome kept in memory is recorded now")
        return True

    async def record(self, write: StateWrite) -> None:
        """Write one state change, retrying with backoff; keep it if the database refuses."""
        if not write.ids:
            return
        if self._backlog:  # keep the order: an older change of the same delivery goes first
            self._backlog.append(write)
            return
        delay = self.backoff_s
        for attempt in range(self.tries):
            try:
                self._apply(write)
                return
            except StorageError as exc:
                if attempt + 1 == self.tries:
                    log.error(
                        "deliveries %s: %s not recorded (%s); kept in memory until the database"
                        " takes writes again",
                        list(write.ids),
                        write.kind,
                        exc,
                    )
                    self._backlog.append(write)
                    return
            await asyncio.sleep(delay)
            delay *= 2

    def _apply(self, write: StateWrite) -> None:
        if write.kind == "sent":
            self.store.mark_sent_many(write.ids, message_id=write.message_id, now=write.at)
        elif write.kind == "retry":
            for delivery_id in write.ids:
                self.store.mark_retry(delivery_id, error=write.error, retry_at=write.at)
        elif write.kind == "failed":
            for delivery_id in write.ids:
                self.store.mark_failed(delivery_id, error=write.error)
        else:
            self.store.release_many(write.ids)
