"""What to do with a delivery after a send attempt (pure): sent, retry when, move, or give up.

A 429 is retried after its ``retry_after`` and never counts towards giving up. Network errors,
timeouts and 5xx answers back off exponentially (``RetryPolicy``) up to ``max_attempts``. A send
that timed out may still have reached Telegram: it is retried like any network error, so a
subscriber can, rarely, read a message twice, but never misses one (at-least-once).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.errors import (
    ChatMigrated,
    DeliveryError,
    MessageRejected,
    PermanentDelivery,
    RetryableDelivery,
)

BACKOFF_BASE_S = 5.0
BACKOFF_CAP_S = 15 * 60.0
MAX_ATTEMPTS = 12


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How transient failures are retried: ``base_s`` doubling up to ``cap_s``."""

    base_s: float = BACKOFF_BASE_S
    cap_s: float = BACKOFF_CAP_S
    max_attempts: int = MAX_ATTEMPTS


DEFAULT_POLICY = RetryPolicy()


@dataclass(frozen=True, slots=True)
class Outcome:
    """The decision after one attempt.

    ``retry``: send again at ``retry_at``; ``moved``: the chat has a new id, send there now;
    ``failed``: permanent, recorded with ``reason``; ``deactivate``: stop sending to the chat.
    """

    action: Literal["retry", "moved", "failed"]
    reason: str
    retry_at: float = 0.0
    new_chat_id: int | None = None
    deactivate: bool = False


def backoff_s(attempts: int, policy: RetryPolicy = DEFAULT_POLICY) -> float:
    """Capped exponential backoff after ``attempts`` failed tries (1 → 5 s, 2 → 10 s, …)."""
    return float(min(policy.cap_s, policy.base_s * 2 ** min(max(0, attempts - 1), 60)))


def after_failure(
    error: DeliveryError, *, attempts: int, now: float, policy: RetryPolicy = DEFAULT_POLICY
) -> Outcome:
    """``attempts`` counts this one. Transient errors retry until ``MAX_ATTEMPTS``."""
    if isinstance(error, ChatMigrated):
        return Outcome("moved", error.reason, retry_at=now, new_chat_id=error.new_chat_id)
    if isinstance(error, PermanentDelivery | MessageRejected):
        blocked = isinstance(error, PermanentDelivery) and _is_chat_gone(error.reason)
        return Outcome("failed", error.reason, deactivate=blocked)
    if isinstance(error, RetryableDelivery) and error.retry_after is not None:
        return Outcome("retry", error.reason, retry_at=now + error.retry_after)
    if attempts >= policy.max_attempts:
        return Outcome("failed", f"gave up after {attempts} attempts: {error.reason}")
    return Outcome("retry", error.reason, retry_at=now + backoff_s(attempts, policy))


def _is_chat_gone(reason: str) -> bool:
    lowered = reason.lower()
    return any(
        marker in lowered
        for marker in (
            "forbidden",
            "blocked",
            "kicked",
            "deactivated",
            "chat not found",
            "not a member",
        )
    )
