"""Fault matrix, output rows: bidi controls and zero-width characters from pages never reach a
reader, and admin output (subscribers' chat ids) stays out of groups."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from bot.config import load_config
from bot.delivery.pacing import Pacer
from bot.delivery.render import neutralize, render_console, render_messages, render_plain
from bot.model import Alert, PlannedAlert
from bot.runtime.deliver import Deliverer
from bot.runtime.runner import Runtime
from bot.store import Store
from bot.telegram.link import TelegramLink
from tests.conftest import ROOT
from tests.fakes.news_server import NewsServer
from tests.fakes.telegram_api import FakeTelegram
from tests.outbox_support import seed, story_alert, story_article
from tests.run_support import record_alerts

ADMIN = 777
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
ZERO_WIDTH = "\u200b\u2060\ufeff\u180e"
HOSTILE = set(BIDI + ZERO_WIDTH)
# A title that reads "Trump meets Zelensky" on screen while its text says otherwise.
TRICK_TITLE = "Zelensky \u202eskeets\u202c meets\u200b Trump\u2066 in Kyiv\u2069\ufeff"
TRICK_SNIPPET = "Leaders\u200b met at the summit\u202e and talked\u202c \u2067late\u2069."


def hostile_alert() -> Alert:
    """An alert whose title and snippet hide bidi controls and zero-width characters."""
    alert = story_alert(story_article(0))
    snippet = TRICK_SNIPPET
    start = snippet.index("summit")
    return replace(
        alert, title=TRICK_TITLE, snippet=snippet, marks=((start, start + len("summit")),)
    )


def test_neutralize_drops_bidi_and_zero_width_and_keeps_needed_joiners() -> None:
    """Bidi controls and zero-width characters go; ZWJ inside an emoji sequence and ZWNJ
    inside a Persian word stay; a joiner at a word's edge goes."""
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    assert neutralize(f"a{BIDI}{ZERO_WIDTH}b") == "ab"
    assert neutralize(family) == family
    assert neutralize(persian) == persian
    assert neutralize("\u200dword\u200c ") == "word "


@pytest.mark.parametrize("digest", [False, True])
def test_every_rendering_of_an_alert_is_free_of_hidden_characters(digest: bool) -> None:
    """HTML messages (one alert, or a digest of several), the plain-text fallback and the
    console form carry no bidi or zero-width character, and the hit is still in bold."""
    alerts = [hostile_alert()] * (3 if digest else 1)
    rendered = [*render_messages(alerts), *render_plain(alerts), render_console(alerts[0])]
    for text in rendered:
        assert not HOSTILE & set(text), [hex(ord(c)) for c in HOSTILE & set(text)]
    assert "<b>summit</b>" in rendered[0]
    assert "Zelensky skeets meets Trump in Kyiv" in rendered[0]


async def test_a_delivered_alert_is_free_of_hidden_characters(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    """Through the real Bot to the fake API, the alert's text has no hidden character."""
    config = load_config(ROOT / "config" / "newsbot.yaml", env={})
    store = Store(f"sqlite:///{tmp_path}/n.db")
    article = replace(story_article(0), title=TRICK_TITLE)
    planned = PlannedAlert(alert=hostile_alert(), score=1.0, recipients=(31,))
    record_alerts(store, [(article, [planned])], now=0.0)
    link = TelegramLink(
        token=fake.token,
        api_base_url=fake.url,
        store=store,
        rules=lambda: config.rules,
        clock=time.time,
    )
    await link.open()
    try:
        sender = Deliverer(store, link, pacer=Pacer(time_scale=0.01), clock=time.time)
        assert (await sender.round()).sent == 1
    finally:
        await link.close()
        store.close()
    [message] = fake.sent_messages(31)
    assert not HOSTILE & set(message.raw_text + message.text)


@pytest.fixture
async def runtime(tmp_path: Path, fake: FakeTelegram) -> AsyncIterator[Runtime]:
    config = yaml.safe_load((ROOT / "config" / "newsbot.yaml").read_text(encoding="utf-8"))
    config["sources"] = []
    config["telegram"] = {"api_base_url": fake.url, "admins": [ADMIN]}
    path = tmp_path / "newsbot.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    env = {"TELEGRAM_BOT_TOKEN": fake.token, "NEWSBOT_DATABASE_URL": f"sqlite:///{tmp_path}/n.db"}
    runtime = Runtime(load_config(path, env=env), config_path=path)
    await runtime.open()
    try:
        yield runtime
    finally:
        await runtime.close()


async def answer(fake: FakeTelegram, runtime: Runtime, chat: int, text: str) -> str:
    before = len(fake.sent_messages(chat))
    fake.send_command(chat, text, user_id=ADMIN)
    assert runtime.telegram is not None
    await runtime.telegram.process_pending_updates()
    [reply] = fake.sent_messages(chat)[before:]
    return reply.text


async def test_test_url_output_is_free_of_hidden_characters(
    fake: FakeTelegram, runtime: Runtime, news: NewsServer
) -> None:
    """/test on a page whose title and text hide bidi controls answers without them."""
    body = " ".join(["President Zelensky\u200b and Trump\u202e met in Washington."] * 20)
    page = f"<html><head><title>{TRICK_TITLE}</title></head><body><article><h1>{TRICK_TITLE}"
    page += f"</h1><p>{body}</p><p>{body}</p></article></body></html>"
    url = news.page("/world/trick.html", page)
    reply = await answer(fake, runtime, ADMIN, f"/test {url}")
    assert "Matches:" in reply
    assert not HOSTILE & set(reply)


async def test_status_in_a_group_shows_no_chat_ids(
    fake: FakeTelegram, runtime: Runtime, tmp_path: Path
) -> None:
    """An admin's /status in a group is answered with where to ask, not with subscribers'
    chat ids; in the admin's private chat it shows them."""
    seed(runtime.store, [4242], 1)
    runtime.store.mark_failed(1, error="Forbidden: bot was blocked by the user")
    fake.set_member(-9000, ADMIN, "administrator")
    in_group = await answer(fake, runtime, -9000, "/status")
    assert "4242" not in in_group and "private chat" in in_group
    for command in ("/test http://127.0.0.1:9/x", "/reload"):
        assert "private chat" in await answer(fake, runtime, -9000, command)
    in_private = await answer(fake, runtime, ADMIN, "/status")
    assert "4242" in in_private
