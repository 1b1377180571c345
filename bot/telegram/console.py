"""The sender used when no Telegram token is set: alerts are printed on a text stream.

Apart from ``link`` so that a run without a token does not import python-telegram-bot (about
0.2 s of CPU at every ``run --once``) just to print its alerts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, tzinfo
from typing import TextIO

from bot.delivery.render import render_console
from bot.model import Alert


class ConsoleSender:
    """Delivers alerts to a text stream when no Telegram token is set."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    async def send(self, chat_id: int, alerts: Sequence[Alert], tz: tzinfo = UTC) -> int | None:
        for alert in alerts:
            self.out.write(render_console(alert, tz=tz) + "\n\n")
        self.out.flush()
        return None

    async def probe(self) -> None:
        """The console always works."""

    def token_rejected(self) -> bool:
        return False
