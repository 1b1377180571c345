"""Mute and digest holds (pure): when a chat's deliveries wait and when they go."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.delivery.holds import (
    ChatPrefs,
    is_held,
    last_digest_time,
    next_digest_time,
    parse_clock,
    parse_mute,
    zone,
)
from bot.delivery.pacing import Pacer

BERLIN = ZoneInfo("Europe/Berlin")


def at(text: str, tz: ZoneInfo = BERLIN) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=tz).timestamp()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("8:00", "08:00"), ("23:59", "23:59"), ("00:00", "00:00"), ("24:00", None), ("8", None)],
)
def test_parse_clock(text: str, expected: str | None) -> None:
    """Digest times are 24-hour HH:MM; anything else is refused."""
    assert parse_clock(text) == expected


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30m", 1800), ("2h", 7200), ("1d", 86400), ("1w", 604800), ("3", 10800), ("0m", None)],
)
def test_parse_mute(text: str, seconds: float | None) -> None:
    """Mute durations in minutes, hours, days, weeks; a bare number is hours; zero is refused."""
    assert parse_mute(text) == seconds


def test_zone_refuses_paths_and_unknown_names() -> None:
    """Only real IANA names are zones; path tricks and unknown names are None."""
    assert zone("Europe/Berlin") == BERLIN
    assert zone("../../etc/passwd") is None and zone("Mars/Olympus") is None


def test_digest_holds_until_the_local_time_then_releases() -> None:
    """A digest chat is held until 08:00 Berlin time, then released until it is recorded."""
    prefs = ChatPrefs(1, digest_at="08:00", timezone="Europe/Berlin")
    evening = at("2026-03-27T20:00:00")
    prefs = replace(prefs, digest_sent_at=last_digest_time(prefs, evening))
    assert is_held(prefs, evening)
    assert is_held(prefs, at("2026-03-28T07:59:00"))
    assert not is_held(prefs, at("2026-03-28T08:00:00"))


def test_digest_time_follows_daylight_saving() -> None:
    """Across the spring DST change the digest still comes at 08:00 local time."""
    prefs = ChatPrefs(1, digest_at="08:00", timezone="Europe/Berlin")
    after = next_digest_time(prefs, at("2026-03-28T09:00:00"))
    assert after == at("2026-03-29T08:00:00")
    assert after is not None and after - at("2026-03-28T08:00:00") == 23 * 3600


def test_mute_holds_until_its_end() -> None:
    """A muted chat is held until muted_until, then released."""
    prefs = ChatPrefs(1, muted_until=100.0)
    assert is_held(prefs, 99.0) and not is_held(prefs, 100.0)


def test_429s_for_two_chats_within_a_second_pause_every_chat() -> None:
    """One chat's 429 blocks that chat; a second chat's soon after is the global limit."""
    pacer = Pacer()
    assert pacer.note_flood(1, until=13.0, now=10.0) is False
    assert pacer.ready_at(2, 10.0) == 10.0
    assert pacer.note_flood(2, until=15.0, now=10.5) is True
    assert pacer.ready_at(3, 10.6) == 15.0


def test_time_scale_shrinks_every_window() -> None:
    """time_scale 0.1: a private chat waits 100 ms, a group's minute lasts 6 s."""
    pacer = Pacer(time_scale=0.1, global_per_s=1000)
    pacer.record_send(5, 0.0)
    assert pacer.ready_at(5, 0.0) == pytest.approx(0.1)
    for i in range(20):
        pacer.record_send(-5, i * 0.01)
    assert pacer.ready_at(-5, 0.2) == pytest.approx(6.0)
