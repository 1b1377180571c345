"""The outbox worker: send due deliveries through a ``Sender``, paced, in order per chat.

A round claims due deliveries (``OutboxStore.claim_due`` hands out only the head of each chat's
queue, so nothing overtakes a delivery waiting for a retry), then runs one task per chat:
the chat's alerts go out oldest first, grouped several to a message while they fit, each
message after the :class:`~bot.delivery.pacing.Pacer` allows it. Chats proceed concurrently, with at
most ``concurrency`` sends in flight, so the global rate is reachable despite API latency.

Every outcome is recorded before the next message of the chat goes: sent (the whole group),
retried (a 429 waits its ``retry_after``; errors back off), moved (a migrated group's
queue is resent to its new id in the next round, at once), or failed with its reason (403
also stops the chat).

Crash safety: a delivery is ``sending`` while its request is in flight. After a crash those
go back to ``pending`` (``OutboxStore.requeue_interrupted``) and are sent again: at-least-once, with
duplicates bounded by the sends in flight at the crash (``concurrency`` messages at most). An
ambiguous ``TimedOut`` is treated the same way: retried, so it may arrive twice.

A state write that fails (disk full, database locked) is retried with backoff; if it still
fails, it is kept in memory (:mod:`bot.store.state_writes`) and written before the next round claims
anything, so a send Telegram accepted is never sent again because its ``sent`` mark failed, and
no claimed delivery is left ``sending`` once the database takes writes again.

A rejected token (401/404, :class:`~bot.errors.TokenRejected`) is a condition of the whole bot:
sending stops at once, the claimed deliveries go back to ``pending`` without counting an
attempt, and every round asks Telegram (``Sender.probe``, getMe) at most every
``token_probe_s`` until the token works again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Literal, Protocol

from bot.delivery.digest import completed_digests
from bot.delivery.holds import is_held, zone
from bot.delivery.outbox import RetryPolicy, after_failure
from bot.delivery.pacing import Pacer
from bot.delivery.render import message_groups
from bot.errors import DeliveryError, RetryableDelivery, StorageError, TokenRejected
from bot.model import Alert, Delivery
from bot.store.ports import OutboxStore
from bot.store.state_writes import StateWrite, StateWriter

log = logging.getLogger("newsbot.deliver")


class Sender(Protocol):
    """Puts alerts in front of one chat as one message; returns its id, raises ``DeliveryError``."""

    async def send(self, chat_id: int, alerts: Sequence[Alert], tz: tzinfo = UTC) -> int | None: ...

    async def probe(self) -> None:
        """Raise ``DeliveryError`` (``TokenRejected``) unless sending can work right now."""

    def token_rejected(self) -> bool:
        """Whether the sender saw its token rejected (by any request) since the last probe."""


DIGEST_MOST = 1000
"""Alerts a digest message may hold (the 4096-character limit comes first)."""


class _Stopped(Exception):
    """The deliverer is stopping: this message was not sent."""


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    """How a round works: sends in flight, claim size, retry policy, in-round retry wait."""

    concurrency: int = 16
    claim_limit: int = 500
    wait_in_round_s: float = 5.0
    group_most: int = 10
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    token_probe_s: float = 30.0
    write_tries: int = 5
    write_backoff_s: float = 0.2


@dataclass(frozen=True, slots=True)
class DeliverReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    messages: int = 0
    claimed: int = 0

    def __add__(self, other: DeliverReport) -> DeliverReport:
        return DeliverReport(
            self.sent + other.sent,
            self.retried + other.retried,
            self.failed + other.failed,
            self.messages + other.messages,
            self.claimed + other.claimed,
        )


@dataclass(slots=True)
class _Tally:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    messages: int = 0


class Deliverer:
    """Runs delivery rounds; keeps the pacer (flood limits) across rounds."""

    def __init__(
        self,
        store: OutboxStore,
        sender: Sender,
        *,
        pacer: Pacer | None = None,
        settings: DeliverySettings | None = None,
        clock: Callable[[], float],
        on_token_back: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        """``on_token_back`` tells the admins (in Telegram) that a rejected token works again."""
        self.store = store
        self.sender = sender
        self.on_token_back = on_token_back
        self.pacer = pacer or Pacer()
        self.settings = settings or DeliverySettings()
        self.clock = clock
        self._in_flight = asyncio.Semaphore(self.settings.concurrency)
        self._stopping = False
        self._token_rejected = False
        self._rejected_since = 0.0
        self._failed_probes = 0
        self._next_probe_at = 0.0
        self.writes = StateWriter(
            store, tries=self.settings.write_tries, backoff_s=self.settings.write_backoff_s
        )

    def stop(self) -> None:
        """Finish the sends in flight, start no more; unsent claimed deliveries go back to
        ``pending`` (a graceful stop then repeats nothing at the next start)."""
        self._stopping = True

    async def round(self) -> DeliverReport:
        """Send every due delivery once (retries due within the round included)."""
        if self._stopping or not await self._ready():
            return DeliverReport()
        try:
            return await self._round()
        except StorageError as exc:
            log.warning("delivery round skipped: %s", exc)
            return DeliverReport()

    async def _ready(self) -> bool:
        """Write what the database refused before; ask whether a rejected token works again."""
        if not self.writes.flush():
            return False
        if not self._token_rejected and self.sender.token_rejected():
            self._reject_token(TokenRejected("a request was answered 401/404"))
        if not self._token_rejected:
            return True
        now = self.clock()
        if now < self._next_probe_at:
            return False
        self._next_probe_at = now + self.settings.token_probe_s
        try:
            await self.sender.probe()
        except DeliveryError as exc:
            log.error("Telegram still refuses the bot token (%s); deliveries wait", exc.reason)
            self._failed_probes += 1
            return False
        log.warning("Telegram accepts the bot token again: deliveries resume")
        self._token_rejected = False
        if self.on_token_back is not None and self._failed_probes:  # not for a passing glitch
            since = datetime.fromtimestamp(self._rejected_since, UTC).strftime("%H:%M:%S UTC")
            await self.on_token_back(
                f"Telegram rejected the bot token from {since} until now; nothing was lost:"
                " the alerts that waited are being sent."
            )
        return True

    async def _round(self) -> DeliverReport:
        now = self.clock()
        prefs = self.store.holding_prefs()
        held = [p.chat_id for p in prefs if is_held(p, now)]
        claimed = self.store.claim_due(now, self.settings.claim_limit, held=held)
        queues: dict[int, list[Delivery]] = {}
        for delivery in claimed:
            queues.setdefault(delivery.chat_id, []).append(delivery)
        tally = _Tally()
        digests = {p.chat_id for p in prefs if p.digest_at is not None}
        if queues:
            async with asyncio.TaskGroup() as group:
                for chat_id, queue in queues.items():
                    # a digest is one message (as many as 4096 characters need), not ten alerts
                    most = DIGEST_MOST if chat_id in digests else self.settings.group_most
                    group.create_task(self._chat(chat_id, queue, tally, most))
        waiting = {
            p.chat_id: self.store.pending_count(p.chat_id)
            for p in prefs
            if p.digest_at is not None and p.chat_id not in held and not self._token_rejected
        }
        done = completed_digests(
            prefs, now=now, held=held, waiting=waiting, token_rejected=self._token_rejected
        )
        for p in done:  # a digest that went out (or had nothing to send) is done until the next
            self.store.save_prefs(p)
        return DeliverReport(tally.sent, tally.retried, tally.failed, tally.messages, len(claimed))

    async def drain(self, *, max_wait_s: float) -> DeliverReport:
        """Run rounds until nothing is left to send, waiting for retries due within
        ``max_wait_s``; held chats (muted, digests) are left waiting."""
        total = DeliverReport()
        while True:
            report = await self.round()
            total += report
            if report.claimed:
                continue
            now = self.clock()
            held = [p.chat_id for p in self.store.holding_prefs() if is_held(p, now)]
            due = self.store.next_pending_at(after=now, held=held)
            if due is None or due - now > max_wait_s:
                return total
            await asyncio.sleep(due - now)

    async def _chat(self, chat_id: int, queue: list[Delivery], tally: _Tally, most: int) -> None:
        groups: Sequence[Sequence[int]] = [range(len(queue))]
        done = 0
        try:
            # Times in the alert read in the chat's /timezone (UTC until it sets one).
            tz = zone(self.store.prefs_of(chat_id).timezone) or UTC
            groups = message_groups([d.alert for d in queue], most=most, tz=tz)
            for number, indices in enumerate(groups):
                if self._stopping:
                    break
                batch = [queue[i] for i in indices]
                step, chat_id = await self._send_group(chat_id, batch, tally, tz)
                done = number + 1
                if step == "wait":  # the rest waits behind the retry, in order
                    break
                if step == "stop":  # the chat is gone; its waiting deliveries failed with it
                    return
        except _Stopped:
            pass
        except StorageError as exc:
            log.warning("chat %s: delivery stopped: %s", chat_id, exc)
        except Exception:  # a bug: leave nothing stuck in "sending"
            log.exception("chat %s: delivery stopped by an unexpected error", chat_id)
        rest = tuple(queue[i].id for g in groups[done:] for i in g)
        await self.writes.record(StateWrite("release", rest))

    async def _send_group(
        self, chat_id: int, batch: list[Delivery], tally: _Tally, tz: tzinfo
    ) -> tuple[Literal["next", "wait", "stop"], int]:
        """Send one message; say whether the chat's next message follows (and to which id)."""
        ids = [d.id for d in batch]
        attempts = max(d.attempts for d in batch)
        while True:
            try:
                message_id = await self._paced_send(chat_id, [d.alert for d in batch], tz)
            except TokenRejected as exc:
                self._reject_token(exc)
                raise _Stopped from exc
            except DeliveryError as exc:
                attempts += 1
                now = self.clock()
                outcome = after_failure(exc, attempts=attempts, now=now, policy=self.settings.retry)
                log.warning(
                    "deliveries %s to chat %s: %s → %s", ids, chat_id, exc.reason, outcome.action
                )
                if outcome.action == "moved" and outcome.new_chat_id is not None:
                    # The queue now lives under the new id (merged with what that chat already
                    # had): the next round sends it there, in order, at once.
                    self.store.migrate_chat(chat_id, outcome.new_chat_id, now=now)
                    log.warning(
                        "chat %s is now %s; alerts go there (update telegram.channels if it"
                        " names the old id)",
                        chat_id,
                        outcome.new_chat_id,
                    )
                    await self.writes.record(StateWrite("retry", tuple(ids), outcome.reason, now))
                    tally.retried += len(ids)
                    return "wait", outcome.new_chat_id
                if outcome.action == "retry":
                    if isinstance(exc, RetryableDelivery) and exc.retry_after is not None:
                        self.pacer.note_flood(chat_id, outcome.retry_at, now)
                    wait = outcome.retry_at - now
                    if wait <= self.settings.wait_in_round_s:
                        with contextlib.suppress(StorageError):  # only a count and a reason
                            self.store.record_attempt(ids, error=outcome.reason)
                        tally.retried += len(ids)
                        await asyncio.sleep(max(0.0, wait))
                        continue
                    retry = StateWrite("retry", tuple(ids), outcome.reason, outcome.retry_at)
                    await self.writes.record(retry)
                    tally.retried += len(ids)
                    return "wait", chat_id
                await self.writes.record(StateWrite("failed", tuple(ids), outcome.reason))
                tally.failed += len(ids)
                if outcome.deactivate:
                    self.store.deactivate_chat(chat_id, outcome.reason)
                    tally.failed += self.store.fail_waiting(chat_id, error=outcome.reason)
                    return "stop", chat_id
                return "next", chat_id
            sent = StateWrite("sent", tuple(ids), at=self.clock(), message_id=message_id)
            await self.writes.record(sent)
            tally.sent += len(ids)
            tally.messages += 1
            return "next", chat_id

    def _reject_token(self, exc: TokenRejected) -> None:
        if not self._token_rejected:
            self._rejected_since = self.clock()
            self._failed_probes = 0
            log.error(
                "Telegram refuses the bot token (%s): sending stops, deliveries stay pending;"
                " checking again every %g s. Check TELEGRAM_BOT_TOKEN with @BotFather.",
                exc.reason,
                self.settings.token_probe_s,
            )
        self._token_rejected = True
        self._next_probe_at = self.clock() + self.settings.token_probe_s

    async def _paced_send(self, chat_id: int, alerts: list[Alert], tz: tzinfo) -> int | None:
        """Wait for a send slot and the pacer's go, then send (the send is recorded at once)."""
        while True:
            async with self._in_flight:
                if self._stopping or self._token_rejected:  # checked once the slot is ours
                    raise _Stopped
                now = self.clock()
                ready = self.pacer.ready_at(chat_id, now)
                if ready <= now:
                    self.pacer.record_send(chat_id, now)
                    try:
                        return await self.sender.send(chat_id, alerts, tz)
                    except DeliveryError:
                        raise
                    except Exception as exc:  # a bug must not leave deliveries in "sending"
                        log.exception("chat %s: unexpected error while sending", chat_id)
                        raise RetryableDelivery(f"unexpected error: {exc!r}") from exc
            await asyncio.sleep(ready - now)


async def deliver_due(
    store: OutboxStore,
    sender: Sender,
    clock: Callable[[], float],
    *,
    pacer: Pacer | None = None,
    settings: DeliverySettings | None = None,
) -> DeliverReport:
    """One delivery round with a fresh pacer (tests and one-off runs)."""
    return await Deliverer(store, sender, pacer=pacer, settings=settings, clock=clock).round()
