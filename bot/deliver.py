"""The outbox worker: send due deliveries through a ``Sender`` and record each outcome."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.errors import DeliveryError
from bot.model import Alert
from bot.outbox import after_failure
from bot.store import Store

log = logging.getLogger("newsbot.deliver")


class Sender(Protocol):
    """Puts one alert in front of one chat; returns the message id, raises ``DeliveryError``."""

    async def send(self, chat_id: int, alert: Alert) -> int | None: ...


@dataclass(frozen=True, slots=True)
class DeliverReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


async def deliver_due(
    store: Store, sender: Sender, clock: Callable[[], float], *, limit: int = 100
) -> DeliverReport:
    """Send every due delivery once. A chat that fails is not sent more this round (order)."""
    sent = retried = failed = 0
    held: set[int] = set()
    for delivery in store.claim_due(clock(), limit):
        if delivery.chat_id in held:
            store.release(delivery.id)
            continue
        try:
            message_id = await sender.send(delivery.chat_id, delivery.alert)
        except DeliveryError as exc:
            outcome = after_failure(exc, attempts=delivery.attempts + 1, now=clock())
            log.warning(
                "delivery %s to chat %s: %s → %s",
                delivery.id,
                delivery.chat_id,
                exc.reason,
                outcome.action,
            )
            if outcome.action == "moved" and outcome.new_chat_id is not None:
                store.migrate_chat(delivery.chat_id, outcome.new_chat_id)
                store.mark_retry(delivery.id, error=outcome.reason, retry_at=outcome.retry_at)
                retried += 1
            elif outcome.action == "retry":
                store.mark_retry(delivery.id, error=outcome.reason, retry_at=outcome.retry_at)
                held.add(delivery.chat_id)
                retried += 1
            else:
                store.mark_failed(delivery.id, error=outcome.reason)
                if outcome.deactivate:
                    store.deactivate_chat(delivery.chat_id, outcome.reason)
                failed += 1
            continue
        store.mark_sent(delivery.id, message_id=message_id, now=clock())
        sent += 1
    return DeliverReport(sent=sent, retried=retried, failed=failed)
