"""The one error tree of newsbot: every failure we raise or translate from a vendor library.

    NewsbotError
    ├── ConfigError            a config file is invalid; carries file, line and key path
    ├── FetchError             a page, feed or robots.txt could not be fetched
    │   └── FetchRejected      fetched, but refused by policy (size cap, content type, robots)
    ├── StorageError           the database refused an operation
    │   └── DatabaseInUse      another running newsbot holds the database
    └── DeliveryError          a message could not be handed to Telegram
        ├── TokenRejected      401/404: Telegram refuses the bot token (bot-wide, not the chat's)
        ├── RetryableDelivery  network error, 5xx, 429: try again later (``retry_after``)
        ├── ChatMigrated       the group became a supergroup: resend to ``new_chat_id``
        ├── MessageRejected    the API refused the message text (HTML parse error): resend plain
        └── PermanentDelivery  403, bad chat, unusable message: recorded, never retried

Pure stages do not raise for normal rejections (a consent wall, a topic that does not match):
they return a value with a reason. Adapters translate vendor exceptions into these.
"""

from __future__ import annotations


class NewsbotError(Exception):
    """Base of every error newsbot raises on purpose."""


class ConfigError(NewsbotError):
    """A config file is invalid.

    ``path`` is the key path inside the document, e.g. ``("topics", 0, "match", "all", 1)``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        path: tuple[str | int, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.path = path

    @property
    def key_path(self) -> str:
        """The key path written the way a maintainer reads YAML: ``topics[0].match.all[1]``."""
        out = ""
        for part in self.path:
            if isinstance(part, int):
                out += f"[{part}]"
            else:
                out += f".{part}" if out else str(part)
        return out

    def __str__(self) -> str:
        where = self.file or "<config>"
        if self.line is not None:
            where += f":{self.line}"
        key = f" {self.key_path}:" if self.path else ""
        return f"{where}:{key} {self.message}"


class FetchError(NewsbotError):
    """A URL could not be fetched (network, timeout, HTTP error status)."""

    def __init__(
        self, url: str, reason: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


class FetchRejected(FetchError):
    """The response arrived but is refused by policy (too large, not HTML/XML, robots.txt)."""


class StorageError(NewsbotError):
    """The database refused an operation."""


class DatabaseInUse(StorageError):
    """Another ``newsbot run`` (named in the message: PID and host) already uses the database."""


class DeliveryError(NewsbotError):
    """A message could not be delivered to a Telegram chat."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TokenRejected(DeliveryError):
    """Telegram refuses the bot token: nothing can be sent until it works again.

    A condition of the whole bot, not of a message or a chat: deliveries stay pending and no
    attempt is counted against them.
    """


class RetryableDelivery(DeliveryError):
    """Try again later; ``retry_after`` seconds when the API said so."""

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class ChatMigrated(DeliveryError):
    """The group was migrated to a supergroup; the message must go to ``new_chat_id``."""

    def __init__(self, reason: str, *, new_chat_id: int) -> None:
        super().__init__(reason)
        self.new_chat_id = new_chat_id


class MessageRejected(DeliveryError):
    """The API refused the message itself (e.g. an HTML parse error); resend it as plain text."""


class PermanentDelivery(DeliveryError):
    """Never retry this delivery (blocked by user, chat not found, unusable message)."""
