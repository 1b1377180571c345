"""Fault matrix, Telegram rows: the token never leaks, a rejected token pauses sending, odd
answers (HTML 502, non-JSON, truncated JSON, connection reset, chat not found) are classified,
and commands addressed to another bot are left alone."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from bot.delivery.outbox import RetryPolicy
from bot.delivery.pacing import Pacer
from bot.errors import PermanentDelivery, RetryableDelivery
from bot.model import Alert
from bot.redact import redact
from bot.runtime.deliver import Deliverer, DeliverySettings
from bot.store import Store
from bot.telegram.link import TelegramLink
from tests.conftest import ROOT
from tests.fakes.telegram_api import FakeTelegram, Fault
from tests.outbox_support import seed, stories_in

ADMIN = 777
SECRET = "TEST-newsbot-fake-token"  # the secret part of the fake's default token


@pytest.fixture
def send_timeout_s() -> float:
    """A send not answered in 2 s is retried (20 s in production): a lost answer costs little."""
    return 2.0


def deliverer(store: Store, link: TelegramLink, **settings: float) -> Deliverer:
    return Deliverer(
        store,
        link,
        pacer=Pacer(time_scale=0.01),
        settings=DeliverySettings(
            retry=RetryPolicy(base_s=0.05, cap_s=0.1, max_attempts=5),
            group_most=1,
            **settings,  # type: ignore[arg-type]
        ),
        clock=time.time,
    )


def write_config(tmp_path: Path, fake: FakeTelegram) -> Path:
    config = yaml.safe_load((ROOT / "config" / "newsbot.yaml").read_text(encoding="utf-8"))
    config["sources"] = []
    config["telegram"] = {
        "api_base_url": fake.url,
        "admins": [ADMIN],
        "deliver_every": "200ms",
        "poll_timeout": "1s",
        "pacing_scale": 0.01,
    }
    path = tmp_path / "newsbot.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def bot_env(tmp_path: Path, token: str) -> dict[str, str]:
    env = dict(os.environ)
    env["TELEGRAM_BOT_TOKEN"] = token
    env["NEWSBOT_DATABASE_URL"] = f"sqlite:///{tmp_path}/newsbot.db"
    return env


def start_bot(tmp_path: Path, config: Path, token: str, log: Path) -> subprocess.Popen[bytes]:
    """``newsbot run`` in the background, its stderr written to ``log``."""
    with log.open("wb") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "--config", str(config), "run"],
            env=bot_env(tmp_path, token),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def run_once(tmp_path: Path, config: Path, token: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), "run", "--once"],
        env=bot_env(tmp_path, token),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def database_text(path: Path) -> str:
    """Every value of every table, as one string (to search for the token)."""
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return "\n".join(
            repr(row) for table in tables for row in conn.execute(f"SELECT * FROM {table}")
        )


def stories_of(fake: FakeTelegram) -> list[tuple[int | str, int]]:
    """(chat, story) of every alert that arrived, sorted; a repeat shows twice."""
    return sorted((m.chat_id, s) for m in fake.sent_messages() for s in stories_in(m.text))


# -- row 1: the token in no output ---------------------------------------------------------


def test_a_token_rejected_at_start_is_one_line_without_the_token(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    """Telegram answering 401 at start (PTB's message quotes the token): one line, exit 2,
    the token in neither stdout nor stderr."""
    config = write_config(tmp_path, fake)
    token = "424242:WRONG-secret-of-the-bot"
    done = run_once(tmp_path, config, token)
    assert done.returncode == 2, done.stderr
    # the start-up INFO lines (where alerts go, what was loaded) may come first
    lines = [line for line in done.stderr.strip().splitlines() if " INFO newsbot.run: " not in line]
    assert "Traceback" not in done.stderr, done.stderr
    assert len(lines) == 1 and "rejected the bot token" in lines[0], done.stderr
    assert "WRONG-secret" not in done.stderr + done.stdout


def test_an_echoed_url_keeps_the_token_out_of_logs_database_and_status(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    """An API/proxy error quoting the request URL (token and all) reaches no log line, no
    deliveries.last_error and no /status message."""
    store = Store(f"sqlite:///{tmp_path}/newsbot.db")
    seed(store, [51, 52], 1)
    store.close()
    fake.inject(Fault.echoing_url(400, "Bad Request: chat not found"), chat_id=51)
    fake.inject(Fault.echoing_url(502), chat_id=52, times=None)
    config = write_config(tmp_path, fake)
    first = run_once(tmp_path, config, fake.token)
    assert first.returncode == 0, first.stderr
    assert all(SECRET in str(r.response) for r in fake.calls("sendMessage")), "echo mode"
    fake.send_command(ADMIN, "/status")
    second = run_once(tmp_path, config, fake.token)  # answers /status, then retries 52
    outputs = first.stdout + first.stderr + second.stdout + second.stderr
    assert "<token>" in outputs  # the echoed errors were logged, redacted
    assert SECRET.lower() not in outputs.lower()
    text = database_text(tmp_path / "newsbot.db")
    assert "chat not found" in text.lower() and SECRET.lower() not in text.lower()
    status = [m.text for m in fake.sent_messages(ADMIN)]
    assert status and "chat not found" in status[-1].lower(), status
    assert all(SECRET.lower() not in message.lower() for message in status)


def test_a_rejected_poll_quoting_the_url_is_logged_redacted_and_polling_goes_on(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    """getUpdates answered 401 with the URL in the error: the log says so without the token,
    and polling goes on by itself once the token is accepted again."""
    config = write_config(tmp_path, fake)
    log = tmp_path / "bot.log"
    bot = start_bot(tmp_path, config, fake.token, log)
    try:
        fake.wait_for(lambda f: f.waiting_polls > 0, timeout=60)
        fake.inject(Fault.echoing_url(401, "Unauthorized"), method="getUpdates", times=2)
        fake.add_update({"message": None})  # wake the long poll: the next ones get the 401
        fake.wait_for(lambda f: len([r for r in f.calls("getUpdates") if not r.ok]) >= 2, 30)
        fake.send_command(73, "/help")
        fake.wait_for(lambda f: len(f.sent_messages(73)) == 1, timeout=30)
    finally:
        bot.send_signal(signal.SIGTERM)
        code = bot.wait(timeout=30)
    text = log.read_text()
    assert code == 0, text[-3000:]
    assert "<token>" in text, text[-3000:]
    assert SECRET.lower() not in text.lower()


def test_a_traceback_is_logged_without_the_token(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """The log handler redacts the token in tracebacks too, not only in messages."""
    from bot.runtime.logs import setup_logging

    setup_logging(False, "5150:Tr4ceback-SECRET-value")
    try:
        raise RuntimeError("https://api.example/bot5150:tr4ceback-secret-value/getMe failed")
    except RuntimeError:
        logging.getLogger("newsbot.test").exception("boom")
    err = capfd.readouterr().err
    assert "Traceback" in err and "<token>" in err
    assert "tr4ceback-secret" not in err.lower()


# -- row 13: a rejected token pauses sending -----------------------------------------------


async def test_a_rejected_token_keeps_deliveries_pending_and_resumes(
    fake: FakeTelegram, store: Store, link: TelegramLink
) -> None:
    """401 on every call for a while: nothing fails, no attempt is counted, getMe is asked
    periodically; once the token works, every alert arrives exactly once."""
    chats = [61, 62, 63]
    seed(store, chats, 3)
    fake.inject(Fault.unauthorized(), method=None, times=None)
    sender = deliverer(store, link, token_probe_s=0.05)
    report = await sender.round()
    assert report.sent == 0 and report.failed == 0
    assert store.delivery_counts() == {"pending": 9}
    assert {d.attempts for d in store.claim_due(time.time(), 100)} == {0}
    store.release_many(range(1, 10))
    rejected_sends = len(fake.calls("sendMessage"))
    deadline = time.monotonic() + 10
    while len(fake.calls("getMe")) < 3 and time.monotonic() < deadline:
        assert (await sender.round()).claimed == 0  # paused: nothing is even claimed
        await asyncio.sleep(0.05)
    assert len(fake.calls("getMe")) >= 3  # one at open, then the probes
    assert len(fake.calls("sendMessage")) == rejected_sends  # no sends while rejected
    fake.clear_faults()
    while store.delivery_counts().get("sent", 0) < 9 and time.monotonic() < deadline:
        await sender.round()
        await asyncio.sleep(0.05)
    assert store.delivery_counts() == {"sent": 9}
    got = sorted((m.chat_id, s) for m in fake.sent_messages() for s in stories_in(m.text))
    assert got == sorted((c, s) for c in chats for s in range(3))


def test_a_running_bot_survives_a_rejected_token_and_answers_commands_after(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    """`newsbot run`: 401 for everything mid-run, then accepted again: every alert arrives
    once, none failed, commands are answered again (polling never gave up), and the admins
    are told in Telegram once it works again."""
    store = Store(f"sqlite:///{tmp_path}/newsbot.db")
    config = write_config(tmp_path, fake)
    log = tmp_path / "bot.log"
    store_url = f"sqlite:///{tmp_path}/newsbot.db"
    bot = start_bot(tmp_path, config, fake.token, log)
    try:
        # the start is accepted, then everything is rejected
        fake.wait_for(lambda f: f.waiting_polls > 0, timeout=60)
        fake.inject(Fault.unauthorized(), method=None, times=None)
        seed(store, [71, 72], 2)
        fake.add_update({"message": None})
        fake.wait_for(lambda f: len(f.calls("getMe")) >= 3, timeout=30)  # probing
        assert Store(store_url).delivery_counts().get("failed", 0) == 0
        fake.clear_faults()
        fake.wait_for(lambda f: len(stories_of(f)) >= 4, timeout=30)
        before = len(fake.sent_messages(71))
        fake.send_command(71, "/help")
        fake.wait_for(lambda f: len(f.sent_messages(71)) > before, timeout=40)
    finally:
        bot.send_signal(signal.SIGTERM)
        code = bot.wait(timeout=30)
        store.close()
    text = log.read_text()
    assert code == 0, text[-3000:]
    assert "refuses the bot token" in text and "accepts the bot token again" in text
    [notice] = [m.text for m in fake.sent_messages(ADMIN)]
    assert "rejected the bot token" in notice and "nothing was lost" in notice
    check = Store(store_url)
    assert check.delivery_counts() == {"sent": 4}
    check.close()
    assert stories_of(fake) == [(71, 0), (71, 1), (72, 0), (72, 1)]


# -- beyond the list: odd answers from the API or the network ------------------------------


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (Fault.raw(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>"), "retry"),
        (Fault.raw(200, b"<html>captive portal</html>"), "retry"),
        (Fault.raw(200, b'{"ok": true, "result": {"message_id": 1', "application/json"), "retry"),
        (Fault.connection_reset(), "retry"),
        (Fault.chat_not_found(), "failed"),
    ],
    ids=["html-502", "html-200", "truncated-json", "connection-reset", "chat-not-found"],
)
async def test_odd_answers_are_classified(
    fake: FakeTelegram, store: Store, link: TelegramLink, fault: Fault, expected: str
) -> None:
    """An HTML error page, a non-JSON 200, a truncated body and a reset connection are
    retried (then delivered); `400 chat not found` fails the delivery and stops the chat."""
    seed(store, [81], 2)
    fake.inject(fault, chat_id=81)
    report = await deliverer(store, link, wait_in_round_s=1.0).drain(max_wait_s=2)
    if expected == "retry":
        assert report.sent == 2 and report.failed == 0
        assert store.delivery_counts() == {"sent": 2}
        assert [s for m in fake.sent_messages(81) for s in stories_in(m.text)] == [0, 1]
    else:
        assert report.sent == 0 and store.delivery_counts() == {"failed": 2}
        assert store.subscribers_of(["summit"]) == {"summit": []}


async def test_odd_answers_translate_to_our_errors(fake: FakeTelegram, link: TelegramLink) -> None:
    """Each odd answer becomes one of our DeliveryErrors (never a vendor exception)."""
    alert = Alert("t", "T", "https://x.example/a", "A", "s", None, "r", "snippet", ())
    for fault, kind in [
        (Fault.raw(502, b"<html>bad gateway</html>"), RetryableDelivery),
        (Fault.connection_reset(), RetryableDelivery),
        (Fault.chat_not_found(), PermanentDelivery),
    ]:
        fake.inject(fault)
        with pytest.raises(kind):
            await link.send(5, [alert])


# -- row 4: commands addressed to another bot ----------------------------------------------


async def test_commands_for_another_bot_are_ignored(fake: FakeTelegram, link: TelegramLink) -> None:
    """`/help@otherbot` gets no answer; `/help@<our name>` and `/help` do."""
    fake.send_command(-500, "/help@other_bot", user_id=5)
    fake.send_command(-500, "/subscribe@other_bot zelensky-trump-summit", user_id=5)
    await link.process_pending_updates()
    assert fake.sent_messages(-500) == []
    fake.send_command(-500, f"/help@{fake.bot_username}", user_id=5)
    fake.send_command(-500, f"/help@{fake.bot_username.upper()}", user_id=5)
    fake.send_command(-500, "/help", user_id=5)
    await link.process_pending_updates()
    assert len(fake.sent_messages(-500)) == 3


@pytest.mark.parametrize(
    "shown",
    [
        "GET /bot123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe",
        "url=/bot123456%3AAAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage",
        "chat not found: /bot123456:aahdqtcvch1vgwjxfseofsas0k5paldsaw/sendmessage",
        "the secret AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw alone",
    ],
)
def test_redact_hides_every_form_of_the_token(shown: str) -> None:
    """Plain, percent-encoded, lower-cased, or the secret part alone: all become <token>."""
    out = redact(shown, "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")
    assert "<token>" in out and "aahdqtcvch1vgwjxfseofsas0k5paldsaw" not in out.lower()


def test_redact_leaves_text_alone_without_a_real_token() -> None:
    """No token, or one too short to be a secret, changes nothing."""
    assert redact("a 1:x b", None) == "a 1:x b"
    assert redact("a 1:x b", "1:x") == "a 1:x b"
