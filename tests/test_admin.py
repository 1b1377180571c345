"""Admin commands through a real Runtime: /status, /reload, /test <url>, and channels."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from bot.config import load_config
from bot.runtime.runner import Runtime
from bot.store import Store
from bot.telegram.link import TelegramLink
from tests.conftest import FIXTURES, ROOT
from tests.fakes.news_server import NewsServer
from tests.fakes.telegram_api import FakeTelegram, Fault
from tests.outbox_support import seed
from tests.run_support import record_failures

ADMIN = 777
TOPIC = "zelensky-trump-summit"
SEED = FIXTURES / "pages" / "seed-inline-notice.html"


def write_config(tmp_path: Path, fake: FakeTelegram, **telegram: object) -> Path:
    config = yaml.safe_load((ROOT / "config" / "newsbot.yaml").read_text(encoding="utf-8"))
    config["sources"] = [{"id": "wire", "url": "http://127.0.0.1:9/feed.xml", "kind": "feed"}]
    config["telegram"] = {"api_base_url": fake.url, "admins": [ADMIN], **telegram}
    path = tmp_path / "newsbot.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
async def runtime(tmp_path: Path, fake: FakeTelegram) -> AsyncIterator[Runtime]:
    path = write_config(tmp_path, fake)
    env = {"TELEGRAM_BOT_TOKEN": fake.token, "NEWSBOT_DATABASE_URL": f"sqlite:///{tmp_path}/n.db"}
    runtime = Runtime(load_config(path, env=env), config_path=path)
    await runtime.open()
    try:
        yield runtime
    finally:
        await runtime.close()


def link_of(runtime: Runtime) -> TelegramLink:
    assert runtime.telegram is not None
    return runtime.telegram


async def ask(fake: FakeTelegram, runtime: Runtime, text: str, user: int = ADMIN) -> str:
    """Send a command from ``user``'s private chat and return the one reply."""
    before = len(fake.sent_messages(user))
    fake.send_command(user, text)
    await link_of(runtime).process_pending_updates()
    replies = fake.sent_messages(user)[before:]
    assert len(replies) == 1, [r.text for r in replies]
    return replies[0].text


async def test_admins_see_their_commands(fake: FakeTelegram, runtime: Runtime) -> None:
    """Admins get /status, /reload and /test in their own chat's command list."""
    assert {"status", "reload", "test"} <= {c["command"] for c in fake.commands("chat")}
    assert "status" not in {c["command"] for c in fake.commands()}


async def test_status_shows_sources_deliveries_and_failures(
    fake: FakeTelegram, runtime: Runtime
) -> None:
    """/status: failing sources with their last error, outbox counts, latest failed delivery
    with its reason, and when the last cycle ran."""
    seed(runtime.store, [31, 32], 1)
    record_failures(runtime.store, "wire", "HTTP 500 from the feed", times=2, start=1.0)
    fake.inject(Fault.blocked(), chat_id=31, times=None)
    await runtime.deliver_until_idle()
    reply = await ask(fake, runtime, "/status")
    assert "wire" in reply and "HTTP 500 from the feed" in reply
    assert "sent 1" in reply and "failed 1" in reply
    assert "to 31: Forbidden: Forbidden: bot was blocked by the user" in reply
    assert "source check: 1970-01-01 00:00:02" in reply
    assert "delivery round: 20" in reply  # a timestamp, not "never"


async def test_reload_reports_the_new_config(
    tmp_path: Path, fake: FakeTelegram, runtime: Runtime
) -> None:
    """/reload loads the edited file and says what is running; a broken file is refused."""
    assert "config reloaded: 1 source," in await ask(fake, runtime, "/reload")
    (tmp_path / "newsbot.yaml").write_text("topics: [oops", encoding="utf-8")
    fake.send_command(ADMIN, "/reload")
    await link_of(runtime).process_pending_updates()
    notice, reply = [m.text for m in fake.sent_messages(ADMIN)[-2:]]
    assert "reload failed, keeping the previous rules" in reply
    assert notice == reply  # the admins' notice, then the answer to the command


async def test_test_url_explains_every_topic(
    fake: FakeTelegram, runtime: Runtime, news: NewsServer
) -> None:
    """/test <url> fetches the page, extracts it and explains each topic's verdict."""
    url = news.page_file("/world/zelensky-trump.html", SEED)
    reply = await ask(fake, runtime, f"/test {url}")
    assert "Matches: zelensky-trump-summit" in reply
    assert "eu-cookie-fines" in reply  # every topic is explained, matched or not


@pytest.mark.parametrize("text", ["/test", "/test not-a-url"])
async def test_test_without_url_shows_usage(
    fake: FakeTelegram, runtime: Runtime, text: str
) -> None:
    """/test without an http(s) URL answers with the usage."""
    assert "Usage: /test https://" in await ask(fake, runtime, text)


async def test_unreachable_url_is_reported(fake: FakeTelegram, runtime: Runtime) -> None:
    """/test on a URL that cannot be fetched says why instead of failing silently."""
    assert "Could not fetch the page" in await ask(fake, runtime, "/test http://127.0.0.1:9/x")


@pytest.mark.parametrize("text", ["/status", "/reload", "/test http://127.0.0.1:9/x"])
async def test_non_admins_are_refused_politely(
    fake: FakeTelegram, runtime: Runtime, text: str
) -> None:
    """Someone not in telegram.admins gets a refusal and no information."""
    reply = await ask(fake, runtime, text, user=4242)
    assert reply.startswith("Sorry, that command is only for the admins")


async def run_seed_feed_to_channel(
    tmp_path: Path, fake: FakeTelegram, news: NewsServer, channel: int, database_url: str
) -> None:
    """One run of a feed carrying the seed article, with ``channel`` configured for TOPIC,
    then deliver everything due."""
    news.page_file("/world/zelensky-trump.html", SEED)
    news.rss("/feed.xml", ["/world/zelensky-trump.html"])
    path = write_config(tmp_path, fake, channels=[{"chat_id": channel, "topics": [TOPIC]}])
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["sources"] = [
        {"id": "wire", "url": news.url("/feed.xml"), "kind": "feed", "backfill": "24h"}
    ]
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    env = {"TELEGRAM_BOT_TOKEN": fake.token, "NEWSBOT_DATABASE_URL": database_url}
    loaded = load_config(path, env=env)
    runtime = Runtime(loaded, config_path=path)
    await runtime.open()
    try:
        await runtime.check(loaded.sources[0])
        await runtime.deliver_until_idle()
    finally:
        await runtime.close()


async def test_configured_channel_receives_its_topics(
    tmp_path: Path, fake: FakeTelegram, news: NewsServer
) -> None:
    """A channel in telegram.channels gets alerts of its topics without subscribing."""
    channel = -1001234567890
    await run_seed_feed_to_channel(tmp_path, fake, news, channel, f"sqlite:///{tmp_path}/c.db")
    [message] = fake.sent_messages(channel)
    assert "Zelensky" in message.text and message.parse_mode == "HTML"


async def test_configured_group_that_migrated_gets_alerts_at_its_new_id(
    tmp_path: Path, fake: FakeTelegram, news: NewsServer
) -> None:
    """A group in telegram.channels that became a supergroup (a migration the bot saw) gets
    its alerts at the new id at once: no request to the stale id first."""
    old, new = -4242, -1000000004242
    db = f"sqlite:///{tmp_path}/m.db"
    store = Store(db)
    # an earlier move to the stale id follows it to the new one
    store.migrate_chat(-77, old, now=1.0)
    store.migrate_chat(old, new, now=2.0)
    assert store.current_chat_ids([old, -77, 5]) == {old: new, -77: new, 5: 5}
    store.close()
    await run_seed_feed_to_channel(tmp_path, fake, news, old, db)
    [message] = fake.sent_messages(new)
    assert "Zelensky" in message.text
    assert fake.calls("sendMessage", old) == []
