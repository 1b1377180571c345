"""Subscriber commands through the real python-telegram-bot stack and the fake Bot API."""

from __future__ import annotations

import time

import pytest

from bot.telegram.link import TelegramLink
from tests.fakes.telegram_api import FakeTelegram, Fault

CHAT = 4242


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


async def test_all_subscriber_commands_are_registered(
    fake: FakeTelegram, link: TelegramLink
) -> None:
    """setMyCommands carries every subscriber command, admin ones stay out of the default list."""
    names = {c["command"] for c in fake.commands()}
    assert names == {
        "start",
        "help",
        "topics",
        "subscribe",
        "unsubscribe",
        "mysubs",
        "mute",
        "unmute",
        "digest",
        "timezone",
        "whoami",
    }


async def test_start_explains_how_to_choose_with_buttons(
    fake: FakeTelegram, link: TelegramLink
) -> None:
    """/start welcomes, explains choosing, and offers a button per topic."""
    fake.send_command(CHAT, "/start")
    await link.process_pending_updates()
    [message] = fake.sent_messages(CHAT)
    assert "How to choose" in message.text and "/digest" in message.text
    assert "topic:zelensky-trump-summit" in {b["callback_data"] for b in message.buttons}


async def test_topics_buttons_toggle_in_place(fake: FakeTelegram, link: TelegramLink) -> None:
    """A /topics button subscribes, a second press unsubscribes; the message is edited in
    place with the new marks and every press is answered (answerCallbackQuery)."""
    fake.send_command(CHAT, "/topics")
    await link.process_pending_updates()
    [message] = fake.sent_messages(CHAT)
    data = "topic:zelensky-trump-summit"
    for expected in (["zelensky-trump-summit"], []):
        fake.press_button(CHAT, data, message.message_id)
        await link.process_pending_updates()
        assert link.store.subscriptions_of(CHAT) == expected
    [edited] = fake.sent_messages(CHAT)
    assert edited.edits == 2 and "▫️ zelensky-trump-summit" in edited.text
    answers = fake.calls("answerCallbackQuery")
    assert [a.status for a in answers] == [200, 200]
    assert "Now following" in answers[0].params["text"]
    assert link.store.subscribers_of(["zelensky-trump-summit"]) == {"zelensky-trump-summit": []}


async def test_stale_button_for_a_removed_topic_is_answered(
    fake: FakeTelegram, link: TelegramLink
) -> None:
    """A button whose topic no longer exists gets a toast and a fresh keyboard, no crash."""
    fake.send_command(CHAT, "/topics")
    await link.process_pending_updates()
    [message] = fake.sent_messages(CHAT)
    fake.press_button(CHAT, "topic:gone-topic", message.message_id)
    await link.process_pending_updates()
    [answered] = fake.calls("answerCallbackQuery")
    assert "no longer exists" in answered.params["text"]
    assert link.store.subscriptions_of(CHAT) == []


async def test_mysubs_lists_topics_and_delivery_mode(
    fake: FakeTelegram, link: TelegramLink
) -> None:
    """/mysubs names what the chat follows and how alerts arrive (instant, digest, mute)."""
    assert "follow no topic" in await ask(fake, link, "/mysubs")
    await ask(fake, link, "/subscribe zelensky-trump-summit")
    await ask(fake, link, "/digest 7:30")
    reply = await ask(fake, link, "/mysubs")
    assert "zelensky-trump-summit" in reply and "daily digest at 07:30 (UTC)" in reply


@pytest.mark.parametrize("arg", ["", "soon", "0m", "-5m", "9999w", "<b>"])
async def test_mute_bad_arguments_show_usage(
    fake: FakeTelegram, link: TelegramLink, arg: str
) -> None:
    """/mute without a valid duration explains the forms and mutes nothing."""
    reply = await ask(fake, link, f"/mute {arg}".strip())
    assert "/mute 2h" in reply
    assert link.store.prefs_of(CHAT).muted_until is None


async def test_mute_and_unmute(fake: FakeTelegram, link: TelegramLink) -> None:
    """/mute 2h holds alerts for two hours; /unmute ends it; unmuting twice is harmless."""
    before = time.time()
    assert "Muted until" in await ask(fake, link, "/mute 2h")
    after = time.time()
    muted_until = link.store.prefs_of(CHAT).muted_until
    assert muted_until is not None and before + 7200 <= muted_until <= after + 7200
    assert "Unmuted" in await ask(fake, link, "/unmute")
    assert "not muted" in await ask(fake, link, "/unmute")


@pytest.mark.parametrize("arg", ["", "25:00", "noon", "7"])
async def test_digest_bad_arguments_show_usage(
    fake: FakeTelegram, link: TelegramLink, arg: str
) -> None:
    """/digest without a valid HH:MM explains how to set or turn it off; nothing is stored."""
    reply = await ask(fake, link, f"/digest {arg}".strip())
    assert "/digest 08:00" in reply and "/digest off" in reply
    assert link.store.prefs_of(CHAT).digest_at is None


async def test_digest_and_timezone(fake: FakeTelegram, link: TelegramLink) -> None:
    """/timezone sets the zone the digest time is read in; /digest off returns to instant."""
    assert "Europe/Berlin" in await ask(fake, link, "/timezone Europe/Berlin")
    assert "08:00 (Europe/Berlin)" in await ask(fake, link, "/digest 08:00")
    prefs = link.store.prefs_of(CHAT)
    assert prefs.digest_at == "08:00" and prefs.timezone == "Europe/Berlin"
    assert prefs.digest_sent_at is not None  # nothing is released before the next 08:00
    assert "Digest off" in await ask(fake, link, "/digest off")
    assert link.store.prefs_of(CHAT).digest_at is None


@pytest.mark.parametrize("arg", ["Mars/Olympus", "../../etc/passwd", "<i>x"])
async def test_timezone_unknown_is_refused_with_examples(
    fake: FakeTelegram, link: TelegramLink, arg: str
) -> None:
    """An unknown or hostile zone name is refused with examples; the zone stays UTC."""
    reply = await ask(fake, link, f"/timezone {arg}")
    assert "not a known time zone" in reply and "Europe/Berlin" in reply
    assert link.store.prefs_of(CHAT).timezone == "UTC"


async def test_help_lists_every_command(fake: FakeTelegram, link: TelegramLink) -> None:
    """/help (and any unknown command) lists every subscriber command."""
    for text in ("/help", "/frobnicate"):
        reply = await ask(fake, link, text)
        for name in ("mysubs", "mute", "digest", "timezone", "topics"):
            assert f"/{name}" in reply


async def test_whoami_answers_user_and_chat_id_in_a_private_chat(
    fake: FakeTelegram, link: TelegramLink
) -> None:
    """/whoami in a private chat answers the sender's user id and the chat id, for admins."""
    reply = await ask(fake, link, "/whoami")
    assert f"Your user id: {CHAT}" in reply
    assert f"This chat's id: {CHAT} (private)" in reply
    assert "telegram.admins" in reply


async def test_whoami_answers_in_a_group_for_anyone(fake: FakeTelegram, link: TelegramLink) -> None:
    """/whoami in a group answers any member (no admin check) with their id and the group's."""
    reply = await group_says(fake, link, "/whoami", user=7)
    assert "Your user id: 7" in reply
    assert f"This chat's id: {GROUP} (group)" in reply
    assert f"{{chat_id: {GROUP}, topics: [...]}}" in reply
    assert fake.calls("getChatMember") == []


@pytest.mark.parametrize("text", ["/status", "/reload", "/test https://example.com/x"])
async def test_admin_commands_refuse_non_admins(
    fake: FakeTelegram, link: TelegramLink, text: str
) -> None:
    """A non-admin asking for an admin command gets a polite refusal and nothing else."""
    reply = await ask(fake, link, text)
    assert "only for the admins" in reply
    assert "Deliveries" not in reply


GROUP = -500


async def group_says(
    fake: FakeTelegram, link: TelegramLink, text: str, user: int | None, anonymous: bool = False
) -> str:
    before = len(fake.sent_messages(GROUP))
    fake.send_command(GROUP, text, user_id=user, anonymous=anonymous)
    await link.process_pending_updates()
    [reply] = fake.sent_messages(GROUP)[before:]
    return reply.text


@pytest.mark.parametrize(
    "command",
    ["/subscribe zelensky-trump-summit", "/unsubscribe zelensky-trump-summit", "/mute 2h",
     "/unmute", "/digest 08:00", "/timezone Europe/Berlin"],
)  # fmt: skip
async def test_in_a_group_only_admins_change_what_it_receives(
    fake: FakeTelegram, link: TelegramLink, command: str
) -> None:
    """A plain member is refused every command that changes the group's alerts; an admin and
    the owner are not (getChatMember decides)."""
    fake.set_member(GROUP, 8, "administrator")
    fake.set_member(GROUP, 9, "creator")
    assert "only its admins" in await group_says(fake, link, command, user=7)
    assert link.store.subscriptions_of(GROUP) == []
    assert link.store.prefs_of(GROUP).timezone == "UTC"
    assert [c.params["user_id"] for c in fake.calls("getChatMember")] == [7]
    for admin in (8, 9):
        assert "only its admins" not in await group_says(fake, link, command, user=admin)


async def test_group_admin_subscribes_and_members_may_still_look(
    fake: FakeTelegram, link: TelegramLink
) -> None:
    """An admin's /subscribe takes effect; a member's /mysubs and /help need no check."""
    fake.set_member(GROUP, 8, "administrator")
    await group_says(fake, link, "/subscribe zelensky-trump-summit", user=8)
    assert link.store.subscriptions_of(GROUP) == ["zelensky-trump-summit"]
    calls = len(fake.calls("getChatMember"))
    assert "zelensky-trump-summit" in await group_says(fake, link, "/mysubs", user=7)
    assert "/topics" in await group_says(fake, link, "/help", user=7)
    assert len(fake.calls("getChatMember")) == calls


async def test_anonymous_group_admin_may_change(fake: FakeTelegram, link: TelegramLink) -> None:
    """An anonymous admin writes as the group itself: no lookup, and the change is made."""
    await group_says(fake, link, "/subscribe zelensky-trump-summit", None, anonymous=True)
    assert link.store.subscriptions_of(GROUP) == ["zelensky-trump-summit"]
    assert fake.calls("getChatMember") == []


async def test_group_member_button_press_is_refused(fake: FakeTelegram, link: TelegramLink) -> None:
    """A member pressing a /topics button in a group gets the refusal as the toast."""
    fake.send_command(GROUP, "/topics", user_id=7)
    await link.process_pending_updates()
    [message] = fake.sent_messages(GROUP)
    fake.press_button(GROUP, "topic:zelensky-trump-summit", message.message_id, user_id=7)
    await link.process_pending_updates()
    [answered] = fake.calls("answerCallbackQuery")
    assert "only its admins" in answered.params["text"]
    assert link.store.subscriptions_of(GROUP) == []


async def test_unverifiable_member_is_refused(fake: FakeTelegram, link: TelegramLink) -> None:
    """When getChatMember fails, the change is refused (and logged), never made blindly."""
    fake.inject(Fault.error(400, "Bad Request: user not found"), method="getChatMember")
    assert "only its admins" in await group_says(fake, link, "/subscribe zelensky-trump-summit", 7)
    assert link.store.subscriptions_of(GROUP) == []
