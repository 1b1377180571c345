"""SIGKILL of a running `newsbot run` mid-send loses no delivery; duplicates stay bounded."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.store import Store
from tests.conftest import ROOT
from tests.fakes.telegram_api import FakeTelegram
from tests.outbox_support import seed, stories_in

pytestmark = pytest.mark.slow

CHATS = [10_000 + i for i in range(150)]
ALERTS = 2
IN_FLIGHT = 8


def write_config(tmp_path: Path, fake: FakeTelegram) -> Path:
    config = yaml.safe_load((ROOT / "config" / "newsbot.yaml").read_text(encoding="utf-8"))
    config["sources"] = []
    config["telegram"] = {
        "api_base_url": fake.url,
        "deliver_every": "200ms",
        "poll_timeout": "1s",
        "send_concurrency": IN_FLIGHT,
        "pacing_scale": 0.01,
    }
    path = tmp_path / "newsbot.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def start_bot(
    config: Path, tmp_path: Path, fake: FakeTelegram, log: str
) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env["TELEGRAM_BOT_TOKEN"] = fake.token
    env["NEWSBOT_DATABASE_URL"] = f"sqlite:///{tmp_path}/newsbot.db"
    with (tmp_path / log).open("wb") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "--config", str(config), "run"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def alerts_received(fake: FakeTelegram) -> Counter[tuple[int | str, int]]:
    counts: Counter[tuple[int | str, int]] = Counter()
    for message in fake.sent_messages():
        for story in stories_in(message.text):
            counts[(message.chat_id, story)] += 1
    return counts


def test_sigkill_mid_send_loses_nothing_and_duplicates_stay_bounded(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    """Killed with 300 deliveries half sent, the restarted bot sends the rest; every alert
    arrives, and no more messages arrive twice than were in flight at the kill."""
    store = Store(f"sqlite:///{tmp_path}/newsbot.db")
    seed(store, CHATS, ALERTS)
    store.close()
    config = write_config(tmp_path, fake)
    fake.delay_s = 0.1  # a slow API: sends are in flight when the kill lands
    wanted = {(chat, story) for chat in CHATS for story in range(ALERTS)}

    bot = start_bot(config, tmp_path, fake, "first.log")
    try:
        fake.wait_for(lambda f: len(f.sent_messages()) >= 60, timeout=30)
        bot.send_signal(signal.SIGKILL)
        bot.wait(timeout=10)
        killed_at = len(fake.calls("sendMessage"))
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait(timeout=10)
    assert killed_at < len(CHATS), "the kill must land mid-delivery"
    # requests in flight at the kill still complete at the fake (Telegram would deliver them)
    fake.wait_for(lambda f: f.waiting_polls == 0 and len(f.calls("sendMessage")) >= killed_at)

    bot = start_bot(config, tmp_path, fake, "second.log")
    try:
        fake.wait_for(lambda f: set(alerts_received(f)) >= wanted, timeout=60)
        bot.send_signal(signal.SIGTERM)
        assert bot.wait(timeout=30) == 0, (tmp_path / "second.log").read_text()
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait(timeout=10)

    counts = alerts_received(fake)
    assert set(counts) == wanted
    seen: set[tuple[int | str, int]] = set()
    repeated = 0  # messages that brought nothing new: sent before the kill, not yet recorded
    for message in fake.sent_messages():
        keys = {(message.chat_id, story) for story in stories_in(message.text)}
        repeated += bool(keys) and keys <= seen
        seen |= keys
    assert repeated <= IN_FLIGHT, repeated
    assert sum(n - 1 for n in counts.values()) <= IN_FLIGHT * ALERTS, counts.most_common(5)
    store = Store(f"sqlite:///{tmp_path}/newsbot.db")
    assert store.delivery_counts() == {"sent": len(wanted)}
    store.close()


def test_sigterm_mid_send_repeats_nothing(tmp_path: Path, fake: FakeTelegram) -> None:
    """A graceful stop mid-delivery lets the sends in flight finish and record, starts no
    more; after a restart the rest arrives and no message arrives twice."""
    store = Store(f"sqlite:///{tmp_path}/newsbot.db")
    seed(store, CHATS, ALERTS)
    store.close()
    config = write_config(tmp_path, fake)
    fake.delay_s = 0.1
    wanted = {(chat, story) for chat in CHATS for story in range(ALERTS)}
    for run, log in enumerate(("first.log", "second.log")):
        bot = start_bot(config, tmp_path, fake, log)
        try:
            if run == 0:
                fake.wait_for(lambda f: len(f.sent_messages()) >= 60, timeout=30)
            else:
                fake.wait_for(lambda f: set(alerts_received(f)) >= wanted, timeout=60)
            bot.send_signal(signal.SIGTERM)
            assert bot.wait(timeout=30) == 0, (tmp_path / log).read_text()
        finally:
            if bot.poll() is None:
                bot.kill()
                bot.wait(timeout=10)
        if run == 0:
            assert len(set(alerts_received(fake))) < len(wanted), "stopped mid-delivery"
    counts = alerts_received(fake)
    assert set(counts) == wanted
    assert max(counts.values()) == 1
