"""Subscriber commands through the real python-telegram-bot stack and the fake Bot API."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.config import Config, load_config
from bot.store import Store
from bot.telegram.link import TelegramLink
from tests.conftest import ROOT
from tests.fakes.telegram_api import FakeTelegram

CHAT = 4242


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@pytest.fixture
def config() -> Config:
    return load_config(ROOT / "config" / "newsbot.yaml", env={})


@pytest.fixture
async def link(tmp_path: Path, fake: FakeTelegram, config: Config) -> AsyncIterator[TelegramLink]:
    store = Store(f"sqlite:///{tmp_path}/n.db")
    telegram = TelegramLink(
        token=fake.token,
        api_base_url=fake.url,
        store=store,
        rules=lambda: config.rules,
        clock=time.time,
    )
    await telegram.open()
    try:
        yield telegram
    finally:
        await telegram.close()
        store.close()


async def ask(fake: FakeTelegram, link: TelegramLink, text: str, chat: int = CHAT) -> str:
    """Send a command as a subscriber and return the bot's reply text."""
    before = len(fake.sent_messages(chat))
    fake.send_command(chat, text)
    await link.process_pending_updates()
    replies = fake.sent_messages(chat)[before:]
    assert len(replies) == 1, [r.text for r in replies]
    return replies[0].text


async def test_commands_are_registered(fake: FakeTelegram, link: TelegramLink) -> None:
    """setMyCommands lists the subscriber commands so Telegram shows them."""
    names = {c["command"] for c in fake.commands()}
    assert {"start", "help", "topics", "subscribe", "unsubscribe"} <= names


async def test_start_lists_topics(fake: FakeTelegram, link: TelegramLink) -> None:
    """/start welcomes and lists the configured topics with their ids."""
    reply = await ask(fake, link, "/start")
    assert "zelensky-trump-summit" in reply
    assert "/subscribe" in reply


async def test_subscribe_flow(fake: FakeTelegram, link: TelegramLink) -> None:
    """/subscribe then /topics marks the topic; /unsubscribe removes it; repeats are harmless."""
    assert "now follow" in await ask(fake, link, "/subscribe zelensky-trump-summit")
    assert "already follow" in await ask(fake, link, "/subscribe zelensky-trump-summit")
    assert link.store.subscriptions_of(CHAT) == ["zelensky-trump-summit"]
    assert "✅ zelensky-trump-summit" in await ask(fake, link, "/topics")
    assert "no longer follow" in await ask(fake, link, "/unsubscribe zelensky-trump-summit")
    assert "were not following" in await ask(fake, link, "/unsubscribe zelensky-trump-summit")
    assert link.store.subscriptions_of(CHAT) == []


@pytest.mark.parametrize("text", ["/subscribe", "/subscribe no-such-topic", "/unsubscribe"])
async def test_bad_arguments_get_the_topic_list(
    fake: FakeTelegram, link: TelegramLink, text: str
) -> None:
    """A missing or unknown topic is answered with the valid topics, and nothing is stored."""
    reply = await ask(fake, link, text)
    assert "zelensky-trump-summit" in reply
    assert link.store.subscriptions_of(CHAT) == []


async def test_hostile_argument_is_escaped(fake: FakeTelegram, link: TelegramLink) -> None:
    """An argument with HTML in it comes back escaped (the fake rejects broken HTML)."""
    reply = await ask(fake, link, "/subscribe <b>x</b>&")
    assert "<b>x</b>&" in reply
