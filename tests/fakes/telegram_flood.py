"""Telegram's flood limits in the fake Bot API: per private chat, per group, and overall.

:class:`FloodWindow` remembers recent sends and answers 429 (an :class:`ApiError` with
``retry_after``) to one that would break the :class:`FloodLimits` it is given.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass

from tests.fakes.telegram_faults import ApiError


@dataclass(frozen=True, slots=True)
class FloodLimits:
    """Telegram's documented flood limits, enforced with 429 when the fake is told to.

    A private chat gets one message per ``private_interval_s``; a group, supergroup or
    channel (negative id) ``group_per_min`` per minute; all chats together ``global_per_s``
    per second. ``slack_s`` forgives the jitter between a client's clock and arrival times.
    ``time_scale`` shrinks every window alike (0.1: a "minute" lasts 6 s), for fast tests.
    """

    private_interval_s: float = 1.0
    group_per_min: int = 20
    global_per_s: int = 30
    slack_s: float = 0.05
    time_scale: float = 1.0


class FloodWindow:
    """The sends of the last minute (scaled), checked against :class:`FloodLimits`."""

    def __init__(self) -> None:
        self._sends: collections.deque[tuple[float, int | str]] = collections.deque()

    def record(self, chat_id: int | str, now: float) -> None:
        """A send to ``chat_id`` was accepted at ``now`` (monotonic seconds)."""
        self._sends.append((now, chat_id))

    def check(self, limits: FloodLimits | None, chat_id: int | str, now: float) -> None:
        """Raise a 429 ``ApiError`` if a send to ``chat_id`` at ``now`` breaks ``limits``."""
        if limits is None:
            return
        scale = limits.time_scale
        while self._sends and self._sends[0][0] < now - 60 * scale:
            self._sends.popleft()
        slack = limits.slack_s
        second, minute = 1.0 * scale, 60.0 * scale
        recent = [t for t, _ in self._sends if t > now - (second - slack)]
        if len(recent) >= limits.global_per_s:
            raise _flood(second - (now - recent[0]))
        mine = [t for t, c in self._sends if c == chat_id]
        interval = limits.private_interval_s * scale
        if isinstance(chat_id, int) and chat_id > 0:
            if mine and now - mine[-1] < interval - slack:
                raise _flood(interval - (now - mine[-1]))
        else:
            window = [t for t in mine if t > now - (minute - slack)]
            if len(window) >= limits.group_per_min:
                raise _flood(minute - (now - window[0]))


def _flood(retry_after: float) -> ApiError:
    seconds = max(1, int(retry_after + 0.999))
    return ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})
