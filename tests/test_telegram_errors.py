"""Every fault of the fake Bot API, raised by the real Bot, becomes one of our DeliveryErrors."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import TelegramError

from bot.errors import (
    ChatMigrated,
    DeliveryError,
    MessageRejected,
    PermanentDelivery,
    RetryableDelivery,
    TokenRejected,
)
from bot.telegram.errors import CheckedRequest, translate
from tests.fakes.telegram_api import MAX_TEXT_LENGTH, FakeTelegram, Fault


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(
        fake.token,
        base_url=fake.base_url,
        request=CheckedRequest(read_timeout=5.0),
        get_updates_request=CheckedRequest(read_timeout=5.0),
    ) as real_bot:
        yield real_bot


async def delivery_error(
    bot: Bot, chat_id: int = 5, text: str = "hello", **kw: object
) -> DeliveryError:
    """Send one message; return what its failure translates to."""
    try:
        await bot.send_message(chat_id, text, **kw)  # type: ignore[arg-type]
    except TelegramError as exc:
        return translate(exc)
    raise AssertionError("the send succeeded")


async def test_retry_after_carries_the_seconds(fake: FakeTelegram, bot: Bot) -> None:
    """429 with retry_after → RetryableDelivery(retry_after=seconds)."""
    fake.inject(Fault.retry_after(12))
    error = await delivery_error(bot)
    assert type(error) is RetryableDelivery and error.retry_after == 12.0
    assert "RetryAfter" in error.reason


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_server_errors_are_retryable(fake: FakeTelegram, bot: Bot, status: int) -> None:
    """5xx → RetryableDelivery without a retry_after."""
    fake.inject(Fault.server_error(status, "Internal"))
    error = await delivery_error(bot)
    assert type(error) is RetryableDelivery and error.retry_after is None


async def test_a_stall_times_out_and_is_retryable(fake: FakeTelegram, bot: Bot) -> None:
    """A stalled answer → TimedOut → RetryableDelivery."""
    fake.inject(Fault.stall(3.0))
    error = await delivery_error(bot, read_timeout=0.3)
    assert type(error) is RetryableDelivery and "TimedOut" in error.reason


async def test_connection_refused_is_retryable() -> None:
    """A Bot API that is not there → NetworkError → RetryableDelivery."""
    fake = FakeTelegram()
    fake.start()
    base_url = fake.base_url
    fake.stop()  # the port is closed now
    request = CheckedRequest(connect_timeout=2.0)
    bot = Bot(fake.token, base_url=base_url, request=request)
    try:
        await request.initialize()
        with pytest.raises(TelegramError) as caught:
            await bot.send_message(5, "x")
    finally:
        await request.shutdown()
    assert type(translate(caught.value)) is RetryableDelivery


async def test_blocked_by_the_user_is_permanent(fake: FakeTelegram, bot: Bot) -> None:
    """403 → PermanentDelivery, with Telegram's text in the reason."""
    fake.inject(Fault.blocked())
    error = await delivery_error(bot)
    assert type(error) is PermanentDelivery and "blocked by the user" in error.reason


async def test_migrated_group_names_the_new_chat(fake: FakeTelegram, bot: Bot) -> None:
    """400 with migrate_to_chat_id → ChatMigrated(new_chat_id)."""
    fake.inject(Fault.migrated(-1001234), chat_id=-77)
    error = await delivery_error(bot, chat_id=-77)
    assert isinstance(error, ChatMigrated) and error.new_chat_id == -1001234


async def test_html_the_api_cannot_parse_is_rejected(bot: Bot) -> None:
    """A real parse error from the fake's HTML parser → MessageRejected (resend plain)."""
    error = await delivery_error(bot, text="<b>unclosed", parse_mode="HTML")
    assert type(error) is MessageRejected and "parse entities" in error.reason


async def test_injected_parse_error_is_rejected(fake: FakeTelegram, bot: Bot) -> None:
    """The parse-error fault → MessageRejected."""
    fake.inject(Fault.parse_error())
    assert type(await delivery_error(bot)) is MessageRejected


async def test_a_too_long_message_is_rejected(bot: Bot) -> None:
    """400 message is too long → MessageRejected."""
    error = await delivery_error(bot, text="x" * (MAX_TEXT_LENGTH + 1))
    assert type(error) is MessageRejected


@pytest.mark.parametrize(
    "fault",
    [Fault.chat_not_found(), Fault.error(400, "Bad Request: not enough rights to send text")],
)
async def test_other_bad_requests_are_permanent(fake: FakeTelegram, bot: Bot, fault: Fault) -> None:
    """Any other 400 → PermanentDelivery."""
    fake.inject(fault)
    assert type(await delivery_error(bot)) is PermanentDelivery


async def test_an_empty_message_is_permanent(bot: Bot) -> None:
    """400 message text is empty → PermanentDelivery (resending cannot help)."""
    assert type(await delivery_error(bot, text="   ")) is PermanentDelivery


@pytest.mark.parametrize("status", [401, 404])
async def test_a_rejected_token_is_bot_wide(fake: FakeTelegram, bot: Bot, status: int) -> None:
    """401/404 → InvalidToken → TokenRejected (the bot's condition, not the message's)."""
    fake.inject(Fault.error(status, "Unauthorized" if status == 401 else "Not Found"))
    assert type(await delivery_error(bot)) is TokenRejected


async def test_a_conflicting_poller_is_retryable(fake: FakeTelegram, bot: Bot) -> None:
    """409 on getUpdates → Conflict → RetryableDelivery."""
    fake.inject(
        Fault.error(409, "Conflict: terminated by other getUpdates request"), method="getUpdates"
    )
    with pytest.raises(TelegramError) as caught:
        await bot.get_updates(timeout=0)
    assert type(translate(caught.value)) is RetryableDelivery


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (Fault.ok_false(400, "Bad Request: chat not found"), PermanentDelivery),
        (Fault.ok_false(403, "Forbidden: bot was kicked from the group chat"), PermanentDelivery),
        (Fault.ok_false(500, "Internal Server Error"), RetryableDelivery),
        (Fault.ok_false(400, "Bad Request: can't parse entities: x"), MessageRejected),
        (Fault.ok_false(0, "odd"), PermanentDelivery),
    ],
)
async def test_ok_false_with_http_200_becomes_a_delivery_error(
    fake: FakeTelegram, bot: Bot, fault: Fault, expected: type[DeliveryError]
) -> None:
    """With CheckedRequest, a 200 answer saying ok:false is its error_code, not a KeyError."""
    fake.inject(fault)
    assert type(await delivery_error(bot)) is expected


async def test_ok_false_retry_after_keeps_its_parameters(fake: FakeTelegram, bot: Bot) -> None:
    """A 200 ok:false 429 still carries parameters.retry_after through to RetryableDelivery."""
    fake.inject(Fault(429, "Too Many Requests: retry after 3", {"retry_after": 3}, http_status=200))
    error = await delivery_error(bot)
    assert isinstance(error, RetryableDelivery) and error.retry_after == 3.0


async def test_checked_request_passes_good_answers_through(fake: FakeTelegram, bot: Bot) -> None:
    """Normal answers and long polls are unchanged by CheckedRequest."""
    message = await bot.send_message(5, "<b>fine</b>", parse_mode="HTML")
    assert message.text == "fine"
    fake.send_command(5, "/start")
    [update] = await bot.get_updates(timeout=1)
    assert update.message is not None and update.message.text == "/start"


def test_any_other_telegram_error_is_retryable() -> None:
    """An unclassified TelegramError (e.g. an unparsable answer) → RetryableDelivery."""
    error = translate(TelegramError("Invalid server response"))
    assert type(error) is RetryableDelivery and error.reason.endswith("Invalid server response")
