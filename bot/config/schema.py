"""The shape of config/newsbot.yaml, checked by pydantic: types, required keys, no unknown keys.

The ``aliases:`` and ``topics:`` sections are the rule language's; ``bot.rules`` validates them.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
# Longer than any sensible period, and far inside what datetime and the scheduler can represent.
MAX_DURATION_S = 365 * 86400.0
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}


def parse_duration(value: object) -> float:
    """``"10m"`` → 600.0 seconds; a bare number is seconds. Raises ValueError on anything else."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 30s, 10m, 1h")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        found = _DURATION.match(str(value))
        if not found:
            raise ValueError(f"{value!r} is not a duration such as 30s, 10m, 1h, 1d")
        seconds = float(found.group(1)) * _UNIT_S[found.group(2)]
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        raise ValueError("a duration must be a finite number of seconds")
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    if seconds > MAX_DURATION_S:
        raise ValueError("a duration cannot be longer than 365d")
    return seconds


def positive_duration(value: float) -> float:
    """A duration that cannot work as zero (a timeout, a period): more than 0s."""
    if value <= 0:
        raise ValueError("must be more than 0s")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceSpec(_Strict):
    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)]
    url: Annotated[str, Field(pattern=r"^https?://\S+$")]
    kind: Literal["page", "feed", "listing", "sitemap"] = "page"
    interval: float = 600.0
    jitter: float = 0.0
    backfill: float = 0.0
    selector: Annotated[str, Field(min_length=1)] | None = None
    ignore_robots: bool = False
    expect_new: float | None = None

    @field_validator("interval", "jitter", "backfill", mode="before")
    @classmethod
    def _duration(cls, value: object) -> float:
        return parse_duration(value)

    @field_validator("expect_new", mode="before")
    @classmethod
    def _optional_duration(cls, value: object) -> float | None:
        return None if value is None else parse_duration(value)

    @field_validator("selector")
    @classmethod
    def _css(cls, value: str | None) -> str | None:
        if value is not None:
            from cssselect import GenericTranslator, SelectorError

            try:
                GenericTranslator().css_to_xpath(value)
            except SelectorError as exc:
                raise ValueError(f"invalid CSS selector {value!r}: {exc}") from None
        return value

    @field_validator("interval")
    @classmethod
    def _interval_floor(cls, value: float) -> float:
        if value < 1.0:
            raise ValueError("interval must be at least 1s")
        return value


class ChannelSpec(_Strict):
    chat_id: int
    topics: list[str]


class TelegramSpec(_Strict):
    api_base_url: Annotated[str, Field(pattern=r"^https?://\S+$")] = "https://api.telegram.org"
    admins: list[int] = []
    channels: list[ChannelSpec] = []
    link_preview: bool = False
    global_rate: Annotated[float, Field(gt=0, le=30)] = 25.0
    poll_timeout: float = 30.0
    deliver_every: float = 2.0
    send_concurrency: Annotated[int, Field(ge=1, le=64)] = 16
    send_timeout: float = 20.0
    pacing_scale: Annotated[float, Field(gt=0, le=1)] = 1.0

    @field_validator("poll_timeout", "deliver_every", "send_timeout", mode="before")
    @classmethod
    def _duration(cls, value: object) -> float:
        return parse_duration(value)

    @field_validator("deliver_every", "send_timeout")
    @classmethod
    def _positive(cls, value: float) -> float:
        return positive_duration(value)


class FetchSpec(_Strict):
    user_agent: str = "newsbot/0.1 (+https://github.com/newsbot/newsbot)"
    timeout: float = 20.0
    max_bytes: Annotated[int, Field(gt=0)] = 5_000_000
    max_redirects: Annotated[int, Field(ge=0, le=20)] = 5
    max_feed_items: Annotated[int, Field(gt=0)] = 50
    connect_timeout: float = 10.0
    host_concurrency: Annotated[int, Field(ge=1, le=16)] = 2
    host_delay: float = 1.0
    concurrency: Annotated[int, Field(ge=1, le=256)] = 16
    min_interval: float = 60.0
    backoff_max: float = 21600.0
    failures_before_notice: Annotated[int, Field(ge=1)] = 3
    story_window: float = 259200.0
    story_similarity: Annotated[float, Field(gt=0, le=1)] = 0.5
    workers: Annotated[int, Field(ge=0, le=64)] = 0  # pages digested at once; 0: one per core

    @field_validator(
        "timeout",
        "connect_timeout",
        "host_delay",
        "min_interval",
        "backoff_max",
        "story_window",
        mode="before",
    )
    @classmethod
    def _duration(cls, value: object) -> float:
        return parse_duration(value)

    @field_validator("timeout", "connect_timeout")
    @classmethod
    def _positive(cls, value: float) -> float:
        return positive_duration(value)


class StorageSpec(_Strict):
    url: str = "sqlite:///data/newsbot.db"


class WebSpec(_Strict):
    listen: Annotated[str, Field(pattern=r"^\S+:\d{1,5}$")] | None = None
    token: Annotated[str, Field(min_length=16)] | None = None
    keep_text: float = 7 * 86400.0

    @field_validator("keep_text", mode="before")
    @classmethod
    def _duration(cls, value: object) -> float:
        return parse_duration(value)


class ConfigSpec(_Strict):
    sources: list[SourceSpec] = []
    aliases: dict[str, Any] = {}
    topics: list[Any] = []
    telegram: TelegramSpec = TelegramSpec()
    fetch: FetchSpec = FetchSpec()
    storage: StorageSpec = StorageSpec()
    web: WebSpec = WebSpec()
