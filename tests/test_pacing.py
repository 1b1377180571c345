"""Send pacing: over long random schedules no window ever holds more sends than Telegram allows."""

from __future__ import annotations

import bisect
import itertools
import random
from collections import defaultdict

import pytest

from bot.delivery.pacing import Limits, Pacer

EPS = 1e-9


def max_in_window(times: list[float], window: float) -> int:
    """The most sends found in any half-open window [t, t + window)."""
    times = sorted(times)
    return max(
        (bisect.bisect_left(times, t + window - EPS) - i for i, t in enumerate(times)), default=0
    )


def greedy_schedule(
    pacer: Pacer, seed: int, sends: int, chats: list[int]
) -> list[tuple[float, int]]:
    """A sender that always sends as early as the pacer allows, to random chats, with idle gaps."""
    rng = random.Random(seed)
    now = 0.0
    log = []
    for _ in range(sends):
        chat = rng.choice(chats)
        if rng.random() < 0.05:
            now += rng.uniform(0, 90)  # the outbox ran dry for a while
        at = pacer.ready_at(chat, now)
        assert at >= now
        pacer.record_send(chat, at)
        log.append((at, chat))
        now = at + rng.choice([0.0, 0.0, 0.001, rng.uniform(0, 0.5)])
    return log


@pytest.mark.parametrize("seed", range(8))
def test_random_schedules_never_exceed_any_limit(seed: int) -> None:
    """Private gaps ≥ 1 s, ≤ 20 per group per minute, ≤ 25 per second overall."""
    pacer = Pacer()
    chats = [*range(1, 40), *range(-30, 0), -1001234567890]
    log = greedy_schedule(pacer, seed, 5000, chats)
    per_chat: dict[int, list[float]] = defaultdict(list)
    for at, chat in log:
        per_chat[chat].append(at)
    assert max_in_window([at for at, _ in log], 1.0) <= 25
    for chat, times in per_chat.items():
        if chat > 0:
            assert all(b - a >= 1.0 - EPS for a, b in itertools.pairwise(times))
        else:
            assert max_in_window(times, 60.0) <= 20


def test_the_global_rate_is_used_when_chats_are_many() -> None:
    """With many chats waiting, the pacer reaches the global rate, not less."""
    pacer = Pacer(global_per_s=25.0)
    now = 0.0
    for chat in range(1, 1001):
        now = pacer.ready_at(chat, now)
        pacer.record_send(chat, now)
    assert 1000 / now >= 24.9


@pytest.mark.parametrize("rate", [0.5, 1.0, 5.0, 30.0, 12.5])
def test_configurable_global_rate(rate: float) -> None:
    """Any global rate holds over one-second windows (and over 1/rate for slow rates)."""
    pacer = Pacer(global_per_s=rate)
    log = greedy_schedule(pacer, 3, 600, list(range(1, 500)))
    window, capacity = Limits(global_per_s=rate).global_window
    assert max_in_window([at for at, _ in log], window) <= capacity
    assert max_in_window([at for at, _ in log], 1.0) <= max(1, rate)


def test_private_chat_waits_one_second() -> None:
    """The second message to a private chat may go one second after the first."""
    pacer = Pacer()
    assert pacer.ready_at(42, 100.0) == 100.0
    pacer.record_send(42, 100.0)
    assert pacer.ready_at(42, 100.2) == pytest.approx(101.0)
    assert pacer.ready_at(43, 100.2) == 100.2, "another chat is not held back"
    assert pacer.is_ready(42, 101.0) and not pacer.is_ready(42, 100.9)


def test_group_gets_twenty_a_minute() -> None:
    """A group's 21st message waits until the first leaves the minute window."""
    pacer = Pacer(global_per_s=1000)
    for i in range(20):
        assert pacer.ready_at(-5, float(i)) == float(i)
        pacer.record_send(-5, float(i))
    assert pacer.ready_at(-5, 20.0) == pytest.approx(60.0)
    pacer.record_send(-5, 60.0)
    assert pacer.ready_at(-5, 60.0) == pytest.approx(61.0)


def test_block_one_chat_after_a_429() -> None:
    """block(chat, until) holds that chat only, and a shorter block never shortens it."""
    pacer = Pacer()
    pacer.block(7, 130.0)
    pacer.block(7, 110.0)
    assert pacer.ready_at(7, 100.0) == 130.0
    assert pacer.ready_at(8, 100.0) == 100.0
    assert pacer.ready_at(7, 140.0) == 140.0


def test_block_everything_after_a_global_429() -> None:
    """block(None, until) holds every chat."""
    pacer = Pacer()
    pacer.block(None, 50.0)
    assert pacer.ready_at(1, 10.0) == 50.0 and pacer.ready_at(-1, 10.0) == 50.0
    assert pacer.ready_at(1, 60.0) == 60.0


def test_old_history_is_forgotten() -> None:
    """Chats idle for longer than any window stop taking memory; their limits still hold."""
    pacer = Pacer(global_per_s=1e6)
    for i in range(5000):
        pacer.record_send(i + 1, i * 0.1)
    assert pacer.tracked_chats < 2000
    assert pacer.ready_at(5000, 499.9) == pytest.approx(500.9)


@pytest.mark.parametrize(
    "limits",
    [{"global_per_s": 0}, {"private_interval_s": -1}, {"group_per_min": 0}],
)
def test_impossible_limits_are_refused(limits: dict[str, float]) -> None:
    """Zero or negative limits are a configuration error, found at construction."""
    with pytest.raises(ValueError, match="impossible"):
        Pacer(**limits)  # type: ignore[arg-type]
