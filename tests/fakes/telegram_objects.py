"""The Bot API's objects as the fake builds them (chats, users, messages, chat members, the
updates a subscriber's action produces) and the records it keeps of what it answered.

Plain functions over plain dicts: :class:`~tests.fakes.telegram_api.FakeTelegram` holds the
state (which chats exist, which message ids are taken) and calls these to spell the JSON.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

ANONYMOUS_ADMIN = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}


@dataclass(frozen=True, slots=True)
class Request:
    """One request the fake answered."""

    method: str
    params: dict[str, Any]
    chat_id: int | str | None
    at: float  # time.monotonic() when it arrived
    answered_at: float
    status: int  # the API status (error_code), not the HTTP one, for ok:false answers
    response: dict[str, Any]

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A message the bot sent and the fake accepted, as it now stands (after edits)."""

    chat_id: int | str
    message_id: int
    text: str  # visible text after entity parsing
    raw_text: str  # what the bot sent
    parse_mode: str | None
    entities: tuple[dict[str, Any], ...]
    reply_markup: dict[str, Any] | None
    date: int
    at: float
    edits: int = 0

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The inline keyboard buttons, row by row flattened."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]


def new_chat(chat_id: int | str, chat_type: str | None) -> dict[str, Any]:
    """A Chat: ``chat_type`` or, by default, private for positive ids, supergroup for -100…
    ids, group for other negative ids and channel for ``@name`` ids."""
    if chat_type is None:
        if isinstance(chat_id, str):
            chat_type = "channel"
        elif chat_id > 0:
            chat_type = "private"
        elif chat_id < -1_000_000_000_000:  # -100… ids are supergroups
            chat_type = "supergroup"
        else:
            chat_type = "group"
    chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
    if chat_type == "private":
        chat["first_name"] = f"User{chat_id}"
    else:
        chat["title"] = f"Chat {chat_id}"
    return chat


def bot_user(bot_id: int, username: str, *, full: bool = False) -> dict[str, Any]:
    """The bot as a User (``full``: as getMe describes it)."""
    user: dict[str, Any] = {
        "id": bot_id,
        "is_bot": True,
        "first_name": "Newsbot Test",
        "username": username,
    }
    if full:
        user.update(
            can_join_groups=True,
            can_read_all_group_messages=False,
            supports_inline_queries=False,
        )
    return user


def _sender(chat_id: int, user_id: int | None) -> int:
    """The user writing in a chat: the given one, the private chat's owner, or user 1000."""
    return user_id if user_id is not None else (chat_id if chat_id > 0 else 1000)


def user_message(
    chat: dict[str, Any], message_id: int, text: str, *, user_id: int | None, anonymous: bool
) -> dict[str, Any]:
    """A Message a user writes; a leading ``/command`` gets its ``bot_command`` entity."""
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": chat,
        "text": text,
    }
    if anonymous:
        message["from"] = dict(ANONYMOUS_ADMIN)
        message["sender_chat"] = chat
    elif chat["type"] != "channel":
        uid = _sender(chat["id"], user_id)
        message["from"] = {
            "id": uid,
            "is_bot": False,
            "first_name": f"User{uid}",
            "language_code": "en",
        }
    m = re.match(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?", text)
    if m:
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(m[0])}]
    return message


def callback_query(
    query_id: str,
    chat: dict[str, Any],
    message_id: int,
    sent: SentMessage | None,
    callback_data: str,
    bot: dict[str, Any],
    *,
    user_id: int | None,
) -> dict[str, Any]:
    """A CallbackQuery: a user pressed a button under the bot's message ``sent``."""
    chat_id = chat["id"]
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": sent.date if sent else int(time.time()),
        "chat": chat,
        "text": sent.text if sent else "",
        "from": bot,
    }
    if sent is not None:
        if sent.entities:
            message["entities"] = list(sent.entities)
        if sent.reply_markup:
            message["reply_markup"] = sent.reply_markup
    uid = _sender(chat_id, user_id)
    return {
        "id": query_id,
        "from": {"id": uid, "is_bot": False, "first_name": f"User{uid}"},
        "message": message,
        "chat_instance": str(abs(chat_id)),
        "data": callback_data,
    }


def message_json(sent: SentMessage, chat: dict[str, Any], bot: dict[str, Any]) -> dict[str, Any]:
    """The Message the API answers for a message the bot sent (or edited)."""
    out: dict[str, Any] = {
        "message_id": sent.message_id,
        "from": bot,
        "chat": chat,
        "date": sent.date,
        "text": sent.text,
    }
    if sent.entities:
        out["entities"] = list(sent.entities)
    if sent.reply_markup:
        out["reply_markup"] = sent.reply_markup
    return out


def chat_member(user_id: int, status: str) -> dict[str, Any]:
    """A ChatMember of ``status`` (creator, administrator, member, restricted, left, kicked)."""
    member: dict[str, Any] = {
        "status": status,
        "user": {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"},
    }
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(dict.fromkeys(_ADMIN_RIGHTS, False))
    elif status == "restricted":
        member.update(dict.fromkeys(_MEMBER_RIGHTS, True), until_date=0)
    elif status == "kicked":
        member["until_date"] = 0
    return member


# The fields getChatMember returns for an administrator and for a restricted member.
_ADMIN_RIGHTS = (
    "can_be_edited",
    "is_anonymous",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)
_MEMBER_RIGHTS = (
    "is_member",
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
)
