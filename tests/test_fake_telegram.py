"""The fake Bot API server, driven by the real python-telegram-bot ``Bot`` over loopback."""

from __future__ import annotations

import asyncio
import threading
import time
import urllib.request
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.request import HTTPXRequest

from tests.fakes.news_server import NewsServer
from tests.fakes.telegram_api import (
    MAX_TEXT_LENGTH,
    EntityParseError,
    FakeTelegram,
    Fault,
    FloodLimits,
    parse_html,
)


@pytest.fixture(autouse=True)
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta periods: otherwise building RetryAfter warns (an error here)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    request = HTTPXRequest(read_timeout=5.0)
    async with Bot(fake.token, base_url=fake.base_url, request=request) as real_bot:
        yield real_bot


# -- plain protocol ---------------------------------------------------------------------------


async def test_get_me_answers_the_bot_user(fake: FakeTelegram, bot: Bot) -> None:
    """getMe returns a bot user whose id is the token's numeric part."""
    me = await bot.get_me()
    assert me.is_bot and me.username == fake.bot_username
    assert me.id == int(fake.token.split(":")[0])


async def test_send_message_returns_a_realistic_message(fake: FakeTelegram, bot: Bot) -> None:
    """sendMessage answers a Message with chat, date, parsed text and entities."""
    before = int(time.time())
    message = await bot.send_message(
        42, "<b>Bold</b> &amp; <a href='https://ex.org/?a=1&amp;b=2'>link</a>", parse_mode="HTML"
    )
    assert message.text == "Bold & link"
    assert message.chat.id == 42 and message.chat.type == "private"
    assert message.date.timestamp() >= before
    kinds = [(e.type, e.offset, e.length, e.url) for e in message.entities]
    assert kinds == [("bold", 0, 4, None), ("text_link", 7, 4, "https://ex.org/?a=1&b=2")]
    [sent] = fake.sent_messages(42)
    assert sent.text == "Bold & link" and sent.parse_mode == "HTML"
    assert sent.raw_text.startswith("<b>Bold</b>")


async def test_message_ids_increase_per_chat(fake: FakeTelegram, bot: Bot) -> None:
    """Every chat has its own increasing message_id sequence."""
    ids_a = [(await bot.send_message(1, f"a{i}")).message_id for i in range(3)]
    ids_b = [(await bot.send_message(-5, f"b{i}")).message_id for i in range(2)]
    assert ids_a == [1, 2, 3]
    assert ids_b == [1, 2]
    assert [m.text for m in fake.sent_messages()] == ["a0", "a1", "a2", "b0", "b1"]


async def test_groups_and_supergroups_get_their_chat_type(bot: Bot) -> None:
    """Negative ids are groups, -100… ids supergroups, as Telegram numbers them."""
    group = await bot.send_message(-4242, "x")
    supergroup = await bot.send_message(-1001234567890, "x")
    assert (group.chat.type, supergroup.chat.type) == ("group", "supergroup")


async def test_every_request_is_recorded(fake: FakeTelegram, bot: Bot) -> None:
    """Requests are recorded with method, decoded params, chat, times and status."""
    t0 = time.monotonic()
    await bot.send_message(7, "hello", disable_notification=True)
    [call] = fake.calls("sendMessage")
    assert call.chat_id == 7 and call.status == 200 and call.ok
    assert call.params["text"] == "hello" and call.params["disable_notification"] is True
    assert t0 <= call.at <= call.answered_at <= time.monotonic()


async def test_empty_text_is_refused(bot: Bot) -> None:
    """A message that is empty after parsing is refused as Telegram does."""
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(7, "<b> </b>", parse_mode="HTML")


async def test_text_over_4096_characters_is_too_long(fake: FakeTelegram, bot: Bot) -> None:
    """The limit applies to visible text: markup does not count, characters beyond 4096 do."""
    fits = "<b>" + "x" * MAX_TEXT_LENGTH + "</b>"
    await bot.send_message(7, fits, parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(7, "&amp;" * (MAX_TEXT_LENGTH + 1), parse_mode="HTML")
    assert [m.text for m in fake.sent_messages(7)] == ["x" * MAX_TEXT_LENGTH]


@pytest.mark.parametrize(
    ("html", "detail"),
    [
        ("<script>x</script>", 'Unsupported start tag "script" at byte offset 0'),
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("a</b>", "Unexpected end tag at byte offset 1"),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("Tom & Jerry", "Unsupported HTML entity at byte offset 4"),
        ("&nbsp;", "Unsupported HTML entity at byte offset 0"),
        ("<a href='x", "Unclosed start tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("é<u", "Unclosed start tag at byte offset 2"),
    ],
)
async def test_bad_html_is_refused_like_telegram(bot: Bot, html: str, detail: str) -> None:
    """Unknown or unbalanced tags and bad entities answer 400 can't parse entities."""
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(7, html, parse_mode="HTML")
    # PTB drops "Bad Request: " and lower-cases all but the first letter of the description.
    assert caught.value.message == f"Can't parse entities: {detail}".capitalize()


@pytest.mark.parametrize(
    ("html", "text", "entities"),
    [
        ("a &lt;b&gt; &quot;c&quot; &#38; &#x1F600;", 'a <b> "c" & 😀', []),
        ("😀<b>x</b>", "😀x", [{"type": "bold", "offset": 2, "length": 1}]),
        ('<TG-SPOILER>s</tg-spoiler><span class="tg-spoiler">t</span>', "st", None),
        ('<pre><code class="language-py">x</code></pre>', "x", None),
        ("<blockquote expandable>q</blockquote>", "q", None),
        ("<a>no link</a>", "no link", []),
        ("<b>x</>", "x", [{"type": "bold", "offset": 0, "length": 1}]),
        ("  <i> pad </i>  ", "pad", [{"type": "italic", "offset": 0, "length": 3}]),
    ],
)
def test_parse_html_accepts_what_telegram_accepts(
    html: str, text: str, entities: list[dict[str, object]] | None
) -> None:
    """Supported tags, entities and offsets in UTF-16 units, as Telegram computes them."""
    from tests.fakes.telegram_api import strip_text

    got_text, got_entities = strip_text(*parse_html(html))
    assert got_text == text
    if entities is not None:
        assert got_entities == entities


def test_parse_html_lenient_mode_keeps_a_bare_ampersand() -> None:
    """With strict_entities off, a bare & is text, as tdlib itself tolerates."""
    assert parse_html("Tom & Jerry", strict_entities=False)[0] == "Tom & Jerry"
    with pytest.raises(EntityParseError):
        parse_html("Tom & Jerry")


# -- updates ----------------------------------------------------------------------------------


async def test_send_command_arrives_with_a_bot_command_entity(fake: FakeTelegram, bot: Bot) -> None:
    """Injected commands look like Telegram's: sender, chat and bot_command entity."""
    fake.send_command(-77, "/subscribe@newsbot_test_bot ai-act", user_id=9, chat_type="group")
    [update] = await bot.get_updates(timeout=0)
    message = update.message
    assert message is not None and message.text.startswith("/subscribe")
    assert message.chat.type == "group" and message.from_user is not None
    assert message.from_user.id == 9
    assert message.entities[0].type == "bot_command" and message.entities[0].length == 27


async def test_long_poll_blocks_until_an_update_is_queued(fake: FakeTelegram, bot: Bot) -> None:
    """getUpdates with a timeout waits for the next update and answers as soon as it comes."""
    poll = asyncio.create_task(bot.get_updates(timeout=10, read_timeout=15))
    await fake.wait_for_async(lambda f: f.waiting_polls == 1)
    start = time.monotonic()
    fake.send_command(5, "/start")
    updates = await asyncio.wait_for(poll, timeout=5)
    assert [u.message.text for u in updates if u.message] == ["/start"]
    assert time.monotonic() - start < 2


async def test_long_poll_honours_its_timeout(bot: Bot) -> None:
    """With nothing to deliver, getUpdates answers an empty list after its timeout."""
    start = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - start < 3


async def test_offset_confirms_earlier_updates(fake: FakeTelegram, bot: Bot) -> None:
    """Updates below offset are forgotten; later ones are delivered again until confirmed."""
    first = fake.send_command(5, "/a")
    fake.send_command(5, "/b")
    assert len(await bot.get_updates(timeout=0)) == 2
    again = await bot.get_updates(offset=first["update_id"] + 1, timeout=0)
    assert [u.message.text for u in again if u.message] == ["/b"]
    await bot.get_updates(offset=again[-1].update_id + 1, timeout=0)
    assert fake.pending_updates() == []


async def test_press_button_and_answer_callback_query(fake: FakeTelegram, bot: Bot) -> None:
    """A pressed inline button arrives as a callback_query that the bot can answer once."""
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Mute", callback_data="mute:ai")]])
    sent = await bot.send_message(5, "alert", reply_markup=markup)
    assert fake.sent_messages(5)[0].buttons == [{"text": "Mute", "callback_data": "mute:ai"}]
    fake.press_button(5, "mute:ai", sent.message_id)
    [update] = await bot.get_updates(timeout=0)
    query = update.callback_query
    assert query is not None and query.data == "mute:ai"
    assert query.message is not None and query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(query.id, text="muted")
    with pytest.raises(BadRequest, match=r"(?i)query id is invalid"):
        await bot.answer_callback_query(query.id)


async def test_edit_message_text(fake: FakeTelegram, bot: Bot) -> None:
    """editMessageText changes a sent message; unknown or unchanged edits are refused."""
    sent = await bot.send_message(5, "old")
    edited = await bot.edit_message_text("<i>new</i>", 5, sent.message_id, parse_mode="HTML")
    assert not isinstance(edited, bool) and edited.text == "new"
    [message] = fake.sent_messages(5)
    assert message.text == "new" and message.edits == 1
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("<i>new</i>", 5, sent.message_id, parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", 5, 999)


async def test_commands_webhook_and_other_methods(fake: FakeTelegram, bot: Bot) -> None:
    """setMyCommands/getMyCommands round-trip; deleteWebhook, close and others answer OK."""
    await bot.set_my_commands([BotCommand("subscribe", "Follow a topic")])
    assert [c.command for c in await bot.get_my_commands()] == ["subscribe"]
    assert fake.commands() == [{"command": "subscribe", "description": "Follow a topic"}]
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.send_chat_action(5, "typing")
    assert await bot.log_out()
    assert await bot.close()


async def test_wrong_token_is_unauthorized(fake: FakeTelegram) -> None:
    """A token the fake does not know answers 401, which PTB raises as InvalidToken."""
    requests = HTTPXRequest(), HTTPXRequest()
    other = Bot(
        "999:wrong", base_url=fake.base_url, request=requests[0], get_updates_request=requests[1]
    )
    try:
        with pytest.raises(InvalidToken):
            await other.initialize()  # calls getMe
    finally:
        for request in requests:  # Bot.shutdown() skips what a failed initialize() opened
            await request.shutdown()


# -- faults -----------------------------------------------------------------------------------


async def test_retry_after_fault(fake: FakeTelegram, bot: Bot) -> None:
    """A 429 fault reaches PTB as RetryAfter with the seconds the API asked for."""
    fake.inject(Fault.retry_after(7))
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(5, "x")
    assert caught.value.retry_after.total_seconds() == 7
    assert (await bot.send_message(5, "x")).message_id == 1, "a one-shot fault is used up"


async def test_server_error_fault(fake: FakeTelegram, bot: Bot) -> None:
    """A 5xx fault reaches PTB as NetworkError (not one of its subclasses)."""
    fake.inject(Fault.server_error(502))
    with pytest.raises(NetworkError) as caught:
        await bot.send_message(5, "x")
    assert type(caught.value) is NetworkError


async def test_stall_fault_times_out_the_client(fake: FakeTelegram, bot: Bot) -> None:
    """A stalled answer makes PTB's read timeout fire: TimedOut."""
    fake.inject(Fault.stall(3.0))
    with pytest.raises(TimedOut):
        await bot.send_message(5, "x", read_timeout=0.3)


async def test_stall_then_answer_delivers_late(fake: FakeTelegram, bot: Bot) -> None:
    """A short stall delays the answer but the message is still accepted."""
    fake.inject(Fault.stall(0.3))
    start = time.monotonic()
    await bot.send_message(5, "late")
    assert time.monotonic() - start >= 0.3


async def test_blocked_fault(fake: FakeTelegram, bot: Bot) -> None:
    """A 403 fault reaches PTB as Forbidden with Telegram's text."""
    fake.inject(Fault.blocked())
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(5, "x")


async def test_migrated_fault(fake: FakeTelegram, bot: Bot) -> None:
    """A migrated group reaches PTB as ChatMigrated carrying the new chat id."""
    fake.inject(Fault.migrated(-1009999), chat_id=-42)
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(-42, "x")
    assert caught.value.new_chat_id == -1009999


async def test_parse_error_fault(fake: FakeTelegram, bot: Bot) -> None:
    """A parse-error fault reaches PTB as BadRequest mentioning entities."""
    fake.inject(Fault.parse_error())
    with pytest.raises(BadRequest, match="parse entities"):
        await bot.send_message(5, "fine")


async def test_ok_false_with_http_200_is_not_an_error_for_plain_ptb(
    fake: FakeTelegram, bot: Bot
) -> None:
    """PTB trusts the HTTP status: a 200 with ok:false surfaces as KeyError('result')."""
    fake.inject(Fault.ok_false(400, "Bad Request: odd"))
    with pytest.raises(KeyError):
        await bot.send_message(5, "x")
    [call] = fake.calls("sendMessage")
    assert call.status == 400 and not call.ok


async def test_faults_per_chat_and_persistent(fake: FakeTelegram, bot: Bot) -> None:
    """A rule for one chat leaves others alone; times=None keeps answering the fault."""
    fake.inject(Fault.blocked(), chat_id=13, times=None)
    for _ in range(3):
        with pytest.raises(Forbidden):
            await bot.send_message(13, "x")
    await bot.send_message(14, "fine")
    fake.clear_faults()
    await bot.send_message(13, "back")
    assert [m.text for m in fake.sent_messages()] == ["fine", "back"]


async def test_faults_on_get_updates(fake: FakeTelegram, bot: Bot) -> None:
    """Faults apply to any method, e.g. the long poll."""
    fake.inject(Fault.server_error(500, "Internal Server Error"), method="getUpdates")
    with pytest.raises(NetworkError):
        await bot.get_updates(timeout=0)
    assert await bot.get_updates(timeout=0) == ()


async def test_global_delay_slows_every_answer(fake: FakeTelegram, bot: Bot) -> None:
    """delay_s makes every answer late by that much."""
    fake.delay_s = 0.2
    start = time.monotonic()
    await bot.send_message(5, "a")
    await bot.send_message(5, "b")
    assert time.monotonic() - start >= 0.4


# -- flood limits -----------------------------------------------------------------------------


async def test_flood_limits_private_chat(fake: FakeTelegram, bot: Bot) -> None:
    """With limits enforced, a second message within a second to a private chat gets 429."""
    fake.flood_limits = FloodLimits()
    await bot.send_message(5, "one")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(5, "two")
    assert caught.value.retry_after.total_seconds() == 1
    await bot.send_message(6, "other chat is fine")


async def test_flood_limits_group_per_minute(fake: FakeTelegram, bot: Bot) -> None:
    """A group gets 20 messages a minute; the 21st is refused with retry_after."""
    fake.flood_limits = FloodLimits(global_per_s=1000)
    for i in range(20):
        await bot.send_message(-100, f"m{i}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(-100, "too many")
    assert 50 <= caught.value.retry_after.total_seconds() <= 60


async def test_flood_limits_global_per_second(fake: FakeTelegram, bot: Bot) -> None:
    """All chats together get global_per_s messages per second."""
    fake.flood_limits = FloodLimits(global_per_s=5)
    for chat in range(1, 6):
        await bot.send_message(chat, "x")
    with pytest.raises(RetryAfter):
        await bot.send_message(99, "x")


# -- waiting ----------------------------------------------------------------------------------


def test_wait_for_wakes_on_a_request_from_another_thread(fake: FakeTelegram) -> None:
    """wait_for returns as soon as a request from another thread satisfies the predicate."""

    def send() -> None:
        async def go() -> None:
            async with Bot(fake.token, base_url=fake.base_url) as other:
                await other.send_message(3, "from a thread")

        asyncio.run(go())

    worker = threading.Thread(target=send)
    worker.start()
    messages = fake.wait_for(lambda f: f.sent_messages(3), timeout=10)
    worker.join(timeout=10)
    assert messages[0].text == "from a thread"


@pytest.mark.parametrize(("which", "name"), [("fake", "fake Telegram"), ("news", "news server")])
def test_wait_for_times_out_in_both_fakes(
    request: pytest.FixtureRequest, which: str, name: str
) -> None:
    """Both fakes' wait_for raise TimeoutError, naming the fake, when the condition never holds."""
    server: FakeTelegram | NewsServer = request.getfixturevalue(which)
    with pytest.raises(TimeoutError, match=f"{name}: condition not met within 0.1 s"):
        server.wait_for(lambda s: False, timeout=0.1)


def test_news_wait_for_returns_the_value_once_a_request_is_seen(news: NewsServer) -> None:
    """The news server's wait_for wakes on a request from another thread and returns the value."""
    url = news.page("/w", "<p>x</p>")
    worker = threading.Thread(target=lambda: urllib.request.urlopen(url, timeout=10).read())
    worker.start()
    seen = news.wait_for(lambda n: n.seen("/w"), timeout=10)
    worker.join(timeout=10)
    assert [r.path for r in seen] == ["/w"]


async def test_stop_ends_a_pending_long_poll(bot: Bot) -> None:
    """Stopping the fake while a poll waits does not hang the test."""
    with FakeTelegram() as other:
        async with Bot(other.token, base_url=other.base_url) as client:
            poll = asyncio.create_task(client.get_updates(timeout=30, read_timeout=40))
            await other.wait_for_async(lambda f: f.waiting_polls == 1)
            start = time.monotonic()
            other.stop()
            assert await asyncio.wait_for(poll, timeout=5) == ()
            assert time.monotonic() - start < 3
