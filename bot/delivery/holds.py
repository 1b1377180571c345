"""When a chat's deliveries are held back: muted until a time, or collected for a daily digest.

Pure: ``now`` is always a parameter (UTC epoch seconds). Held deliveries stay ``pending`` in the
outbox; nothing is dropped, they simply are not claimed until the hold ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_MUTE = re.compile(r"^(\d{1,4})\s*(m|min|h|d|w)?$")
_MUTE_UNIT_S = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400, None: 3600}
MAX_MUTE_S = 365 * 86400


@dataclass(frozen=True, slots=True)
class ChatPrefs:
    """A chat's delivery preferences.

    ``digest_at`` is a local time ``HH:MM`` in ``timezone`` (an IANA name) or None for
    immediate alerts; ``digest_sent_at`` is the digest occurrence last delivered.
    """

    chat_id: int
    muted_until: float | None = None
    digest_at: str | None = None
    timezone: str = "UTC"
    digest_sent_at: float | None = None


def parse_clock(text: str) -> str | None:
    """``"7:05"`` → ``"07:05"``; None when it is not a 24-hour clock time."""
    found = _CLOCK.match(text.strip())
    return f"{int(found[1]):02d}:{found[2]}" if found else None


def parse_mute(text: str) -> float | None:
    """``"30m"``, ``"2h"``, ``"1d"``, ``"1w"`` (a bare number is hours) → seconds, or None."""
    found = _MUTE.match(text.strip().lower())
    if not found:
        return None
    seconds = float(int(found[1]) * _MUTE_UNIT_S[found[2]])
    return seconds if 0 < seconds <= MAX_MUTE_S else None


def zone(name: str) -> ZoneInfo | None:
    """The time zone called ``name`` (``Europe/Berlin``), or None when there is none."""
    if not name or ".." in name or name.startswith("/"):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def last_digest_time(prefs: ChatPrefs, now: float) -> float | None:
    """The latest occurrence of the digest time at or before ``now`` (None: no digest)."""
    if prefs.digest_at is None:
        return None
    tz = zone(prefs.timezone) or UTC
    hour, minute = (int(part) for part in prefs.digest_at.split(":"))
    local = datetime.fromtimestamp(now, tz)
    at = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if at > local:
        at = (at - timedelta(days=1)).replace(hour=hour, minute=minute)
    return at.timestamp()


def next_digest_time(prefs: ChatPrefs, now: float) -> float | None:
    """The next occurrence of the digest time after ``now`` (None: no digest)."""
    last = last_digest_time(prefs, now)
    if last is None:
        return None
    tz = zone(prefs.timezone) or UTC
    hour, minute = (int(part) for part in (prefs.digest_at or "00:00").split(":"))
    local = datetime.fromtimestamp(last, tz) + timedelta(days=1)
    return local.replace(hour=hour, minute=minute).timestamp()


def is_held(prefs: ChatPrefs, now: float) -> bool:
    """True while the chat's deliveries must wait: muted, or its digest is not due yet."""
    if prefs.muted_until is not None and prefs.muted_until > now:
        return True
    last = last_digest_time(prefs, now)
    if last is None:
        return False
    return prefs.digest_sent_at is not None and prefs.digest_sent_at >= last


def describe(prefs: ChatPrefs, now: float) -> str:
    """One line for /mysubs: how alerts reach this chat."""
    parts = []
    if prefs.muted_until is not None and prefs.muted_until > now:
        until = datetime.fromtimestamp(prefs.muted_until, zone(prefs.timezone) or UTC)
        parts.append(f"muted until {until:%Y-%m-%d %H:%M} ({prefs.timezone})")
    if prefs.digest_at:
        parts.append(f"daily digest at {prefs.digest_at} ({prefs.timezone})")
    return "; ".join(parts) if parts else f"alerts arrive as they are found ({prefs.timezone})"
