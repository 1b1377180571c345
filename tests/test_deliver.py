"""Delivery through the real python-telegram-bot stack against the fake Bot API with faults."""

from __future__ import annotations

import itertools
import time
from collections import Counter, defaultdict
from dataclasses import replace

import pytest

from bot.config import Config
from bot.delivery.holds import ChatPrefs, last_digest_time, next_digest_time
from bot.delivery.outbox import RetryPolicy
from bot.delivery.pacing import Pacer
from bot.model import PlannedAlert
from bot.runtime.deliver import Deliverer, DeliverySettings
from bot.store import Store
from bot.telegram.link import TelegramLink
from tests.fakes.telegram_api import FakeTelegram, Fault, FloodLimits
from tests.fakes.telegram_flood import FloodWindow
from tests.outbox_support import seed, stories_in, story_alert, story_article
from tests.run_support import record_alerts

SCALE = 0.05  # pacing windows at 1/20: a private chat may get a message every 50 ms
FAST_RETRY = RetryPolicy(base_s=0.05, cap_s=0.2, max_attempts=5)


@pytest.fixture
def send_timeout_s() -> float:
    """A send not answered in 10 s is retried: on a loaded machine a slow answer is not a
    timeout, whose retry would be a duplicate (the timeout test sets its own, short one)."""
    return 10.0


def deliverer(
    store: Store,
    link: TelegramLink,
    *,
    group_most: int = 1,
    wait_in_round_s: float = 5.0,
    scale: float = SCALE,
    pacer: Pacer | None = None,
) -> Deliverer:
    return Deliverer(
        store,
        link,
        pacer=pacer or Pacer(time_scale=scale),
        settings=DeliverySettings(
            retry=FAST_RETRY, group_most=group_most, wait_in_round_s=wait_in_round_s
        ),
        clock=time.time,
    )


def received(fake: FakeTelegram) -> dict[int | str, list[int]]:
    """Story numbers each chat received, in arrival order."""
    out: dict[int | str, list[int]] = defaultdict(list)
    for message in fake.sent_messages():
        out[message.chat_id] += stories_in(message.text)
    return out


async def test_every_alert_arrives_once_in_order_per_chat(
    fake: FakeTelegram, store: Store, link: TelegramLink
) -> None:
    """Five alerts to six chats (private and groups): each arrives once, in order, HTML."""
    chats = [11, 12, 13, -21, -22, -1000000000023]
    seed(store, chats, 5)
    report = await deliverer(store, link).drain(max_wait_s=5)
    assert report.sent == 30 and report.failed == 0
    assert received(fake) == {chat: [0, 1, 2, 3, 4] for chat in chats}
    message = fake.sent_messages(11)[0]
    assert message.parse_mode == "HTML"
    assert {e["type"] for e in message.entities} >= {"bold", "text_link", "italic"}
    assert "<a lot>" in message.text  # page text escaped, shown as written
    assert store.delivery_counts() == {"sent": 30}


async def test_alert_times_read_in_the_chats_timezone(
    fake: FakeTelegram, store: Store, link: TelegramLink
) -> None:
    """A chat that set /timezone reads the publication time in it; the others in UTC."""
    store.save_prefs(ChatPrefs(35, timezone="Europe/Madrid"))
    store.save_prefs(ChatPrefs(36, timezone="Asia/Kolkata"))
    seed(store, [35, 36, 37], 1)  # published 2026-11-01 12:00 UTC
    report = await deliverer(store, link).drain(max_wait_s=5)
    assert report.sent == 3
    assert "2026-11-01 13:00 CET" in fake.sent_messages(35)[0].text
    assert "2026-11-01 17:30 IST" in fake.sent_messages(36)[0].text
    assert "2026-11-01 12:00 UTC" in fake.sent_messages(37)[0].text


async def test_alerts_of_a_round_are_grouped_and_marked_together(
    fake: FakeTelegram, store: Store, link: TelegramLink
) -> None:
    """Several alerts for one chat in one round share a message; all are marked sent."""
    seed(store, [31], 4)
    report = await deliverer(store, link, group_most=10).drain(max_wait_s=5)
    assert report.sent == 4 and report.messages == 1
    [message] = fake.sent_messages(31)
    assert stories_in(message.text) == [0, 1, 2, 3]
    assert store.delivery_counts() == {"sent": 4}


async def test_429_storm_waits_retry_after_and_keeps_order(
    fake: FakeTelegram, store: Store, link: TelegramLink
) -> None:
    """429s with retry_after: the chat waits that long, nothing is lost or reordered."""
    seed(store, [41, 42, 43], 3)
    fake.inject(Fault.retry_after(1), chat_id=41, times=2)
    fake.inject(Fault.retry_after(1), chat_id=42, times=1)
    report = await deliverer(store, link).drain(max_wait_s=5)
    assert report.sent == 9
    assert received(fake) == {41: [0, 1, 2], 42: [0, 1, 2], 43: [0, 1, 2]}
    calls = fake.calls("sendMessage", 41)
    assert [c.status for c in calls[:3]] == [429, 429, 200]
    assert calls[1].at - calls[0].answered_at >= 0.95  # retry_after honoured
    assert calls[2].at - calls[1].answered_at >= 0.95


async def test_later_message_never_overtakes_one_waiting_for_retry(
    fake: FakeTelegram, store: Store, link: TelegramLink
) -> None:
    """A retry scheduled past the round holds the chat's later deliveries across rounds."""
    seed(store, [51, 52], 3)
    fake.inject(Fault.retry_after(1), chat_id=51, times=1)
    sender = deliverer(store, link, wait_in_round_s=0.0)
    first = await sender.round()
    assert first.retried == 1
    assert received(fake)[51] == []
    assert received(fake)[52] == [0, 1, 2]
    second = await sender.round()  # 51's later alerts are due, but wait behind the retry
    assert second.claimed == 0
    await sender.drain(max_wait_s=5)
    assert received(fake)[51] == [0, 1, 2]


async def test_server_errors_back_off_and_deliver(
    fake: FakeTelegram, store: Store, link: TelegramLink
) -> None:
    """502 and 500 answers are retried with backoff; the message arrives once."""
    seed(store, [61], 2)
    fake.inject(Fault.server_error(502), chat_id=61, times=2)
    fake.inject(Fault.server_error(500, "Internal Server Error"), chat_id=61, times=1)
    report = await deliverer(store, link).drain(max_wait_s=5)
    assert report.sent == 2 and report.failed == 0
    assert received(fake)[61] == [0, 1]
    calls = fake.calls("sendMessage", 61)
    gaps = [b.at - a.answered_at for a, b in itertools.pairwise(calls)]
    assert gaps[0] >= 0.045 and gaps[1] >= 0.095 and gaps[2] >= 0.19  # 50, 100, 200 ms


async def test_gives_up_after_max_attempts_and_records_why(
    fake: FakeTelegram, store: Store, link: TelegramLink
) -> None:
    """A chat whose sends always fail with 5xx ends `failed` with the reason, not dropped."""
    seed(store, [62], 1)
    fake.inject(Fault.server_error(503, "Service Unavailable"), chat_id=62, times=None)
    report = await deliverer(store, link).drain(max_wait_s=5)
    assert report.failed == 1
    [(_, chat, reason)] = store.failed_deliveries()
    assert chat == 62 and "gave up after 5 attempts" in reason and "Unavailable" in reason


@pytest.mark.parametrize("send_timeout_s", [1.0])  # the stall below is 3 s: it times out
async def test_timeout_is_resent_at_least_once(
    fake: FakeTelegram, store: Store, link: TelegramLink
) -> None:
    """A send that times out (the fake stalls past the client timeout) is sent again."""
    seed(store, [71], 1)
    fake.inject(Fault.stall(3.0), chat_id=71, times=1)
    report = await deliverer(store, link).drain(max_wait_s=5)
    assert report.sent == 1
    # the stalled request still completes at the fake: the documented duplicate
    await fake.wait_for_async(lambda f: len(f.calls("sendMessage", 71)) == 2, timeout=5)
    assert 1 <= len(received(fake)[71]) <= 2
    assert store.delivery_counts() == {"sent": 1}


async def test_blocked_chat_is_deactivated_and_its_queue_stops(
    fake: FakeTelegram, store: Store, link: TelegramLink
) -> None:
    """403: the delivery fails, the subscriber is deactivated, its other alerts are not sent."""
    store.upsert_subscriber(81, user_id=81, chat_type="private", now=0)
    store.subscribe(81, "summit", 0)
    seed(store, [81, 82], 3)
    fake.inject(Fault.blocked(), chat_id=81, times=None)
    report = await deliverer(store, link).drain(max_wait_s=5)
    assert len(fake.calls("sendMessage", 81)) == 1
    assert received(fake)[82] == [0, 1, 2]
    assert report.failed == 3
    assert store.subscribers_of(["summit"]) == {"summit": []}
    assert all("blocked" in reason for _, chat, reason in store.failed_deliveries() if chat == 81)


async def test_migrated_group_gets_the_message_at_its_new_id(
    fake: FakeTelegram, store: Store, link: TelegramLink
) -> None:
    """ChatMigrated: the new id is stored and the message (and the rest) go there."""
    store.upsert_subscriber(-91, user_id=None, chat_type="group", now=0)
    store.subscribe(-91, "summit", 0)
    seed(store, [-91], 2)
    fake.inject(Fault.migrated(-1000000000091), chat_id=-91, times=None)
    report = await deliverer(store, link).drain(max_wait_s=5)
    assert report.sent == 2
    assert received(fake) == {-1000000000091: [0, 1]}
    assert store.subscribers_of(["summit"]) == {"summit": [-1000000000091]}


async def test_html_parse_error_is_resent_as_plain_text(
    fake: FakeTelegram, store: Store, link: TelegramLink
) -> None:
    """400 can't parse entities: the same alert goes again as plain text, hits in brackets."""
    seed(store, [101], 1)
    fake.inject(Fault.parse_error(), chat_id=101, times=1)
    await deliverer(store, link).drain(max_wait_s=5)
    [message] = fake.sent_messages(101)
    assert message.parse_mode is None and "[summit]" in message.text
    assert store.delivery_counts() == {"sent": 1}


@pytest.mark.parametrize(
    ("fault", "state"),
    [
        (Fault.ok_false(502, "Bad Gateway"), {"sent": 1}),
        (Fault.ok_false(400, "Bad Request: odd"), {"failed": 1}),
    ],
)
async def test_ok_false_with_http_200_does_not_crash_the_sender(
    fake: FakeTelegram, store: Store, link: TelegramLink, fault: Fault, state: dict[str, int]
) -> None:
    """A 200 whose body says ok:false is that error: 5xx retried, 400 recorded as failed."""
    seed(store, [111, 112], 1)
    fake.inject(fault, chat_id=111, times=1)
    await deliverer(store, link).drain(max_wait_s=5)
    counts = Counter({"sent": 1}) + Counter(state)
    assert store.delivery_counts() == dict(counts)
    assert received(fake)[112] == [0]


async def test_huge_alert_stays_within_4096_after_entity_parsing(
    fake: FakeTelegram, store: Store, link: TelegramLink
) -> None:
    """An alert with enormous title and snippet full of entities is accepted by the API."""
    article = story_article(7)
    alert = story_alert(article)
    alert = replace(alert, title="&<>" * 3000 + "Story 7-0", snippet="a&b<c> 😀 " * 2000)
    planned = PlannedAlert(alert=alert, score=1, recipients=(121,))
    record_alerts(store, [(article, [planned])], now=0)
    await deliverer(store, link, group_most=10).drain(max_wait_s=5)
    [message] = fake.sent_messages(121)
    assert 0 < len(message.text) <= 4096


class NotingPacer(Pacer):
    """The real pacer, noting each send it let go (chat, time on the deliverer's clock)."""

    def __init__(self, *, time_scale: float) -> None:
        super().__init__(time_scale=time_scale)
        self.released: list[tuple[int, float]] = []

    def record_send(self, chat_id: int, now: float) -> None:
        self.released.append((chat_id, now))
        super().record_send(chat_id, now)


def keeps_flood_limits(released: list[tuple[int, float]], scale: float) -> None:
    """Replay the sends a pacer let go through the fake's flood model; it raises on a 429."""
    window = FloodWindow()
    telegram = FloodLimits(time_scale=scale, slack_s=1e-6)  # slack: float rounding only
    for chat_id, at in sorted(released, key=lambda sent: sent[1]):
        window.check(telegram, chat_id, at)
        window.record(chat_id, at)


async def test_pacing_causes_no_429_and_chats_proceed_concurrently(
    fake: FakeTelegram, store: Store, link: TelegramLink
) -> None:
    """The sends our pacer lets go keep Telegram's (half-scale) flood limits as the fake counts
    them, and with 100 ms latency the chats' sends overlap instead of going one at a time."""
    # The limits are judged on the times the pacer released each send, not on arrival times
    # at the fake: on a loaded machine the network and the fake's threads bunch sends together
    # by more than any slack, which is jitter and not a pacing decision.
    scale = 0.5  # 1 s windows last 500 ms: 50 sends/s, light enough for an in-process fake
    fake.delay_s = 0.1
    private = list(range(1001, 1021))
    groups = [-2001, -2002, -2003, -2004]
    seed(store, private + groups, 2)
    pacer = NotingPacer(time_scale=scale)
    report = await deliverer(store, link, pacer=pacer).drain(max_wait_s=5)
    assert report.sent == 48
    sends = fake.calls("sendMessage")
    assert len(sends) == len(pacer.released) == 48  # every send went through the pacer
    assert all(stories == [0, 1] for stories in received(fake).values())
    keeps_flood_limits(pacer.released, scale)
    # one chat at a time never has two sends in flight; each send takes at least 100 ms
    overlapping = [
        (a.chat_id, b.chat_id)
        for a, b in itertools.combinations(sends, 2)
        if a.at < b.answered_at and b.at < a.answered_at
    ]
    assert any(one != other for one, other in overlapping), "sends went one at a time"


async def test_group_limit_is_20_per_minute_scaled(
    fake: FakeTelegram, store: Store, link: TelegramLink
) -> None:
    """A group with 25 alerts: the first 20 go, the rest wait for the (scaled) minute."""
    scale = 0.05  # a 3 s "minute": 20 sends one after another take far less, even under load
    seed(store, [-3001], 25)
    pacer = NotingPacer(time_scale=scale)
    await deliverer(store, link, pacer=pacer).drain(max_wait_s=5)
    sends = fake.calls("sendMessage", -3001)
    assert [r.status for r in sends] == [200] * 25
    # judged on the pacer's clock (see the test above): arrival times carry the machine's jitter
    released = [at for _, at in pacer.released]
    assert len(released) == 25 and released[20] - released[0] >= 60 * scale - 1e-6
    keeps_flood_limits(pacer.released, scale)
    assert received(fake)[-3001] == list(range(25))


async def test_muted_chat_is_held_until_unmuted(
    fake: FakeTelegram, store: Store, link: TelegramLink
) -> None:
    """Deliveries for a muted chat stay pending; after the mute they all arrive."""
    store.save_prefs(ChatPrefs(131, muted_until=time.time() + 3600))
    seed(store, [131, 132], 2)
    sender = deliverer(store, link)
    await sender.drain(max_wait_s=5)
    assert received(fake)[131] == [] and received(fake)[132] == [0, 1]
    assert store.delivery_counts() == {"sent": 2, "pending": 2}
    store.save_prefs(ChatPrefs(131, muted_until=None))
    await sender.drain(max_wait_s=5)
    assert received(fake)[131] == [0, 1]


async def test_digest_collects_alerts_into_one_message_at_its_time(
    fake: FakeTelegram, store: Store, link: TelegramLink
) -> None:
    """A digest chat gets nothing until its local time, then one message with every alert."""
    now = time.time()
    clock_value = [now]
    prefs = ChatPrefs(141, digest_at="08:00", timezone="Europe/Berlin")
    store.save_prefs(replace(prefs, digest_sent_at=last_digest_time(prefs, now)))
    seed(store, [141], 12)  # more than the ten alerts an instant message groups
    sender = Deliverer(
        store,
        link,
        pacer=Pacer(time_scale=SCALE),
        settings=DeliverySettings(retry=FAST_RETRY),
        clock=lambda: clock_value[0],
    )
    await sender.drain(max_wait_s=0)
    assert fake.sent_messages(141) == []
    due = next_digest_time(prefs, now)
    assert due is not None
    clock_value[0] = due + 1
    await sender.drain(max_wait_s=0)
    [message] = fake.sent_messages(141)
    assert stories_in(message.text) == list(range(12))
    seed(store, [141], 1, start=12, now=due)  # a later alert waits for the next digest
    await sender.drain(max_wait_s=0)
    assert len(fake.sent_messages(141)) == 1
    assert store.prefs_of(141).digest_sent_at == pytest.approx(due)


async def test_migration_onto_a_known_chat_merges_instead_of_failing(
    fake: FakeTelegram, store: Store, link: TelegramLink
) -> None:
    """A group migrating to an id we already know (e.g. a configured channel) merges rows."""
    new_id = -1000000000092
    for chat in (-92, new_id):
        store.upsert_subscriber(chat, user_id=None, chat_type="group", now=0)
        store.subscribe(chat, "summit", 0)
    seed(store, [-92], 1)
    seed(store, [-92, new_id], 1, start=1)
    fake.inject(Fault.migrated(new_id), chat_id=-92, times=None)
    await deliverer(store, link).drain(max_wait_s=5)
    assert sorted(received(fake)[new_id]) == [0, 1]  # each once (the chats were two before)
    assert set(received(fake)) == {new_id}
    assert store.subscribers_of(["summit"]) == {"summit": [new_id]}


async def test_unexpected_sender_error_leaves_nothing_sending(store: Store) -> None:
    """A bug in a sender is retried like a network error; nothing stays `sending`."""

    class BrokenSender:
        async def send(self, chat_id: int, alerts: object, tz: object = None) -> int | None:
            raise ZeroDivisionError("bug")

        async def probe(self) -> None:
            pass

        def token_rejected(self) -> bool:
            return False

    seed(store, [151], 2)
    sender = Deliverer(
        store,
        BrokenSender(),
        pacer=Pacer(time_scale=SCALE),
        settings=DeliverySettings(retry=RetryPolicy(base_s=10), group_most=1),
        clock=time.time,
    )
    report = await sender.round()
    assert report.retried == 1
    assert store.delivery_counts() == {"pending": 2}


@pytest.mark.parametrize("preview", [False, True])
async def test_link_preview_follows_config(
    fake: FakeTelegram, store: Store, config: Config, preview: bool
) -> None:
    """telegram.link_preview turns Telegram's link preview under an alert on or off."""
    telegram = TelegramLink(
        token=fake.token,
        api_base_url=fake.url,
        store=store,
        rules=lambda: config.rules,
        clock=time.time,
        link_preview=preview,
    )
    await telegram.open()
    try:
        seed(store, [161], 1)
        await deliverer(store, telegram).drain(max_wait_s=5)
    finally:
        await telegram.close()
    [call] = fake.calls("sendMessage", 161)
    assert call.params["link_preview_options"] == {"is_disabled": not preview}
