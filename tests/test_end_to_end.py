"""The whole loop as a user runs it: the `newsbot` process, a local news site, a fake Bot API."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import FIXTURES, ROOT
from tests.fakes.news_server import NewsServer
from tests.fakes.telegram_api import FakeTelegram

SEED = FIXTURES / "pages" / "seed-inline-notice.html"
OTHER = ROOT / "bot" / "runtime" / "demo" / "pages" / "harbour-festival.html"
SUBSCRIBER = 111
SEED_TITLE_WORDS = "Zelensky"

pytestmark = pytest.mark.slow


def write_config(tmp_path: Path, news: NewsServer, fake: FakeTelegram) -> Path:
    """The shipped topics, one local feed polled every second (the interval floor lowered for
    it), the fake Bot API."""
    config = yaml.safe_load((ROOT / "config" / "newsbot.yaml").read_text(encoding="utf-8"))
    config["sources"] = [
        {
            "id": "local-feed",
            "url": news.url("/feed.xml"),
            "kind": "feed",
            "interval": "1s",
            "backfill": "24h",  # the feed's items are dated now: the first run alerts them
        }
    ]
    config["telegram"] |= {"api_base_url": fake.url, "deliver_every": "1s", "poll_timeout": "1s"}
    config["fetch"] = {**config.get("fetch", {}), "min_interval": "1s"}
    path = tmp_path / "newsbot.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def newsbot_env(tmp_path: Path, fake: FakeTelegram) -> dict[str, str]:
    env = dict(os.environ)
    env["TELEGRAM_BOT_TOKEN"] = fake.token
    env["NEWSBOT_DATABASE_URL"] = f"sqlite:///{tmp_path}/newsbot.db"
    return env


def alerts_to(fake: FakeTelegram, chat_id: int) -> list[str]:
    """Alert messages (not command replies) the subscriber received."""
    return [m.text for m in fake.sent_messages(chat_id) if "matched" in m.text]


def test_run_once_delivers_one_alert_and_none_after_restart(
    tmp_path: Path, news: NewsServer, fake: FakeTelegram
) -> None:
    """`run --once`: one alert for the seed, none for the other page, none on the second run."""
    news.page_file("/world/zelensky-trump.html", SEED)
    news.page_file("/local/harbour.html", OTHER)
    news.rss("/feed.xml", ["/world/zelensky-trump.html", "/local/harbour.html"])
    config = write_config(tmp_path, news, fake)
    fake.send_command(SUBSCRIBER, "/subscribe zelensky-trump-summit")
    env = newsbot_env(tmp_path, fake)

    for run in range(2):
        result = subprocess.run(
            [sys.executable, "-m", "bot", "--config", str(config), "run", "--once"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert fake.token not in result.stderr + result.stdout
        alerts = alerts_to(fake, SUBSCRIBER)
        assert len(alerts) == 1, (run, alerts)
        assert SEED_TITLE_WORDS in alerts[0]
        assert "Harbour" not in alerts[0]
        assert "cookies" not in alerts[0]
    assert news.hits("/world/zelensky-trump.html") == 1  # the seen feed item is not refetched
    assert fake.commands(), "setMyCommands registered the command list"


def test_running_bot_alerts_new_story_once_across_restart(
    tmp_path: Path, news: NewsServer, fake: FakeTelegram
) -> None:
    """`run`: says what it is doing at start; a story published after subscribing arrives
    once; a restart sends nothing again."""
    news.page_file("/local/harbour.html", OTHER)
    news.page_file("/world/zelensky-trump.html", SEED)
    news.rss("/feed.xml", ["/local/harbour.html"])
    config = write_config(tmp_path, news, fake)
    env = newsbot_env(tmp_path, fake)
    command = [sys.executable, "-m", "bot", "--config", str(config), "run"]

    bot = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        fake.send_command(SUBSCRIBER, "/subscribe zelensky-trump-summit")
        fake.wait_for(
            lambda f: any("now follow" in m.text for m in f.sent_messages(SUBSCRIBER)), timeout=30
        )
        news.rss("/feed.xml", ["/local/harbour.html", "/world/zelensky-trump.html"])
        fake.wait_for(lambda f: alerts_to(f, SUBSCRIBER), timeout=30)
    finally:
        bot.send_signal(signal.SIGTERM)
        out, err = bot.communicate(timeout=30)
    assert bot.returncode == 0, err
    assert fake.token not in out + err
    # At start it says where alerts go, what it loaded and where the database is; the feed's
    # first run says what it did (its items are within the backfill window, so they may alert).
    assert "alerts go to Telegram" in err
    assert f"loaded 1 source and 3 topics from {config}; database: sqlite:///{tmp_path}/" in err
    assert re.search(r"source local-feed: first run: \d items? within `backfill:` fetched", err)

    restarted = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        fetched = news.hits("/feed.xml")
        assert news.wait_for(lambda n: n.hits("/feed.xml") >= fetched + 3, timeout=30)
        fake.wait_for(lambda f: len(f.calls("getUpdates")) >= 2, timeout=30)
    finally:
        restarted.send_signal(signal.SIGTERM)
        _, err = restarted.communicate(timeout=30)
    assert restarted.returncode == 0, err
    alerts = alerts_to(fake, SUBSCRIBER)
    assert len(alerts) == 1, alerts
    assert SEED_TITLE_WORDS in alerts[0]
