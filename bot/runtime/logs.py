"""The command line's logging: one stream to stderr, the bot token never in it."""

from __future__ import annotations

import logging
import sys

from bot.redact import redact


class RedactingFormatter(logging.Formatter):
    """Keep the bot token out of every log line and traceback, whoever logs it (httpx logs
    request URLs, python-telegram-bot puts the token into some of its error messages)."""

    def __init__(self, fmt: str, token: str | None) -> None:
        super().__init__(fmt)
        self.token = token

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.token)


def setup_logging(verbose: bool, token: str | None) -> None:
    """Log lines to stderr with the token redacted; the chatty libraries quieted."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", token)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("httpx", "httpcore", "apscheduler", "telegram", "hpack"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # trafilatura warns about every page it cannot use; newsbot reports those itself.
    for chatty in ("trafilatura", "htmldate", "courlan", "justext"):
        logging.getLogger(chatty).setLevel(logging.ERROR)
