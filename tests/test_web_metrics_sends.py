"""The send metrics: sends by result, 429s and the retry_after waited, send latency, counted
while the real sender delivers to the fake Bot API with faults."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from bot.config import Config
from bot.delivery.outbox import RetryPolicy
from bot.delivery.pacing import Pacer
from bot.runtime.deliver import Deliverer, DeliverySettings
from bot.store import Store
from bot.telegram.link import TelegramLink
from tests.fakes.telegram_api import FakeTelegram, Fault
from tests.outbox_support import seed


def _samples() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of this process's registry, read back through the exposition parser."""
    out = {}
    for family in text_string_to_metric_families(generate_latest().decode()):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


@pytest.fixture
async def link(fake: FakeTelegram, store: Store, config: Config) -> AsyncIterator[TelegramLink]:
    telegram = TelegramLink(
        token=fake.token, api_base_url=fake.url, store=store, rules=lambda: config.rules,
        clock=time.time, send_timeout_s=2.0,
    )  # fmt: skip
    await telegram.open()
    try:
        yield telegram
    finally:
        await telegram.close()


async def test_sends_429s_and_latency_are_counted(
    fake: FakeTelegram, store: Store, link: TelegramLink
) -> None:
    """One chat answered 429 (retry_after 1) then delivered, one blocked: 2 sent, 1 retry with
    1 s of retry_after, 1 failed, and 4 send requests timed."""
    fake.inject(Fault.retry_after(1), chat_id=51, times=1)
    fake.inject(Fault.blocked(), chat_id=52, times=1)
    seed(store, [51, 52, 53], 1)
    before = _samples()
    deliverer = Deliverer(
        store,
        link,
        pacer=Pacer(time_scale=0.05),
        settings=DeliverySettings(retry=RetryPolicy(base_s=0.05, cap_s=0.2, max_attempts=5)),
        clock=time.time,
    )
    report = await deliverer.drain(max_wait_s=5)
    assert (report.sent, report.failed) == (2, 1)
    after = _samples()

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert grew("newsbot_sends_total", result="sent") == 2
    assert grew("newsbot_sends_total", result="retry") == 1
    assert grew("newsbot_sends_total", result="failed") == 1
    assert grew("newsbot_telegram_rate_limited_total") == 1
    assert grew("newsbot_telegram_retry_after_seconds_total") == 1
    assert grew("newsbot_send_duration_seconds_count") == 4
