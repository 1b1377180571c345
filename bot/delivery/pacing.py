"""Decide when the next message to a chat may go, within Telegram's flood limits.

Pure: no clock inside, ``now`` (seconds on any monotonic scale) is always a parameter. The
limits are Telegram's published ones: about one message a second to a private chat, 20 a
minute to a group or channel (negative chat ids), and a global rate across all chats (30/s
allowed; we default to 25/s to stay clear of it). A 429's ``retry_after`` blocks one chat, or
every chat when it came without one, until the given time. Telegram does not say whether a 429
is the chat's limit or the bot's global one; :meth:`Pacer.note_flood` treats 429s for two
different chats within a second as the global limit and holds every chat.

``time_scale`` stretches or shrinks every window (1.0 is Telegram's); tests and benchmarks use a
small scale so a minute of group pacing takes a fraction of a second.

Each limit is a sliding window: a send is allowed when fewer than the window's capacity went
out in the window ending now, so no window of that length ever holds more. The global rate is
also spread evenly (one send per ``1/global_per_s``): a burst of 25 at the top of each second
would be counted by Telegram with network jitter and could cross its limit.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

GROUP_WINDOW_S = 60.0
FLOOD_SPREAD_S = 1.0
"""429s for different chats this close together are taken as the bot's global limit."""


@dataclass(frozen=True, slots=True)
class Limits:
    """The rates a :class:`Pacer` keeps."""

    global_per_s: float = 25.0
    private_interval_s: float = 1.0
    group_per_min: int = 20
    time_scale: float = 1.0

    def __post_init__(self) -> None:
        if (
            self.global_per_s <= 0
            or self.private_interval_s < 0
            or self.group_per_min < 1
            or self.time_scale <= 0
        ):
            raise ValueError(f"impossible pacing limits: {self}")

    @property
    def global_window(self) -> tuple[float, int]:
        """(window length in seconds, sends allowed in it) for the global rate."""
        if self.global_per_s >= 1:
            return self.time_scale, int(self.global_per_s)
        return self.time_scale / self.global_per_s, 1

    @property
    def private_s(self) -> float:
        """Seconds between two messages to one private chat."""
        return self.private_interval_s * self.time_scale

    @property
    def group_window_s(self) -> float:
        """The window in which a group or channel gets ``group_per_min`` messages."""
        return GROUP_WINDOW_S * self.time_scale


class Pacer:
    """When may the next message to each chat go? Record every send, block on 429s."""

    def __init__(
        self,
        *,
        global_per_s: float = 25.0,
        private_interval_s: float = 1.0,
        group_per_min: int = 20,
        time_scale: float = 1.0,
    ) -> None:
        self.limits = Limits(global_per_s, private_interval_s, group_per_min, time_scale)
        self._global: deque[float] = deque()
        self._chats: dict[int, deque[float]] = {}
        self._blocked: dict[int, float] = {}
        self._blocked_all = float("-inf")
        self._sends_since_prune = 0
        self._floods: deque[tuple[float, int]] = deque()

    @property
    def tracked_chats(self) -> int:
        """How many chats' send history is kept (old history is forgotten as sends go on)."""
        return len(self._chats)

    def ready_at(self, chat_id: int, now: float) -> float:
        """The earliest time, not before ``now``, a message to ``chat_id`` may be sent."""
        at = max(now, self._blocked_all, self._blocked.get(chat_id, now))
        window, capacity = self.limits.global_window
        if self._global:
            at = max(at, self._global[-1] + window / capacity)
        if len(self._global) >= capacity:
            at = max(at, self._global[-capacity] + window)
        sent = self._chats.get(chat_id)
        if sent:
            if chat_id > 0:
                at = max(at, sent[-1] + self.limits.private_s)
            elif len(sent) >= self.limits.group_per_min:
                at = max(at, sent[-self.limits.group_per_min] + self.limits.group_window_s)
        return at

    def is_ready(self, chat_id: int, now: float) -> bool:
        """True when a message to ``chat_id`` may go at ``now``."""
        return self.ready_at(chat_id, now) <= now

    def record_send(self, chat_id: int, now: float) -> None:
        """A message to ``chat_id`` went out at ``now`` (record it even if it was early)."""
        capacity = self.limits.global_window[1]
        self._global.append(now)
        while len(self._global) > capacity:
            self._global.popleft()
        keep = 1 if chat_id > 0 else self.limits.group_per_min
        sent = self._chats.setdefault(chat_id, deque(maxlen=keep))
        sent.append(now)
        self._sends_since_prune += 1
        if self._sends_since_prune >= 1024:
            self._prune(now)

    def block(self, chat_id: int | None, until: float) -> None:
        """Send nothing to ``chat_id`` (every chat when None) before ``until``.

        A block never shortens an earlier, longer one.
        """
        if chat_id is None:
            self._blocked_all = max(self._blocked_all, until)
        else:
            self._blocked[chat_id] = max(self._blocked.get(chat_id, until), until)

    def note_flood(self, chat_id: int, until: float, now: float) -> bool:
        """A 429 for ``chat_id`` says wait until ``until``: block the chat, and every chat too
        when another chat got a 429 in the last ``FLOOD_SPREAD_S`` (the global limit). Returns
        True when every chat was blocked."""
        self.block(chat_id, until)
        spread = FLOOD_SPREAD_S * self.limits.time_scale
        while self._floods and self._floods[0][0] < now - spread:
            self._floods.popleft()
        everyone = any(chat != chat_id for _, chat in self._floods)
        self._floods.append((now, chat_id))
        if everyone:
            self.block(None, until)
        return everyone

    def _prune(self, now: float) -> None:
        """Forget chats whose history can no longer delay anything."""
        self._sends_since_prune = 0
        horizon = now - max(self.limits.group_window_s, self.limits.private_s)
        self._chats = {c: s for c, s in self._chats.items() if s and s[-1] > horizon}
        self._blocked = {c: t for c, t in self._blocked.items() if t > now}
