"""Read a config file, validate it and return a typed ``Config``; errors name file, line and key."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from bot.config.located_yaml import KeyPath, LocatedDocument, load_located
from bot.config.schema import ConfigSpec
from bot.errors import ConfigError
from bot.model import Source

if TYPE_CHECKING:
    from bot.rules import RuleSet

DEFAULT_CONFIG = Path("config") / "newsbot.yaml"
DEFAULT_DATABASE_URL = "sqlite:///data/newsbot.db"


@dataclass(frozen=True, slots=True)
class TelegramSettings:
    api_base_url: str
    admins: frozenset[int]
    channels: tuple[tuple[int, tuple[str, ...]], ...]
    link_preview: bool
    global_rate: float
    poll_timeout_s: float
    deliver_every_s: float
    token: str | None = field(default=None, repr=False)
    send_concurrency: int = 16
    send_timeout_s: float = 20.0
    pacing_scale: float = 1.0


@dataclass(frozen=True, slots=True)
class FetchSettings:
    user_agent: str
    timeout_s: float
    max_bytes: int
    max_redirects: int
    max_feed_items: int
    connect_timeout_s: float = 10.0
    host_concurrency: int = 2
    host_delay_s: float = 1.0
    concurrency: int = 16
    min_interval_s: float = 60.0
    backoff_max_s: float = 21600.0
    failures_before_notice: int = 3
    story_window_s: float = 259200.0
    story_similarity: float = 0.5
    workers: int = 0  # processes that clean and match pages; 0: one per core, 1: in-process


@dataclass(frozen=True, slots=True)
class Config:
    """Everything newsbot runs on, validated; pure code never sees the raw YAML."""

    file: str
    sources: tuple[Source, ...]
    rules: RuleSet
    aliases_count: int
    telegram: TelegramSettings
    fetch: FetchSettings
    database_url: str

    def source(self, source_id: str) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)


def default_config_path(env: Mapping[str, str]) -> Path:
    return Path(env.get("NEWSBOT_CONFIG") or DEFAULT_CONFIG)


def load_config(path: Path | str, env: Mapping[str, str] | None = None) -> Config:
    """Read and validate ``path``. Raises ``ConfigError`` with file, line and key path."""
    env = os.environ if env is None else env
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("config file not found", file=file) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file: {exc}", file=file) from exc
    return parse_config(text, file=file, env=env)


def parse_config(text: str, *, file: str, env: Mapping[str, str] | None = None) -> Config:
    """Validate config text; ``file`` is only used in error messages."""
    from bot.rules import compile_rules

    env = os.environ if env is None else env
    doc = load_located(text, file)
    if not isinstance(doc.data, dict):
        raise doc.error("the config must be a mapping of sections (sources, topics, …)", ())
    try:
        spec = ConfigSpec.model_validate(doc.data)
    except ValidationError as exc:
        raise _located(doc, exc) from None
    try:
        rules = compile_rules(doc.data.get("aliases") or {}, doc.data.get("topics") or [])
    except ConfigError as exc:
        raise doc.error(exc.message, exc.path) from None

    seen: dict[str, int] = {}
    for index, source in enumerate(spec.sources):
        if source.id in seen:
            raise doc.error(
                f"duplicate source id {source.id!r} (first at sources[{seen[source.id]}])",
                ("sources", index, "id"),
            )
        seen[source.id] = index
    topic_ids = {topic.id for topic in rules.topics}
    for c_index, channel in enumerate(spec.telegram.channels):
        for t_index, topic_id in enumerate(channel.topics):
            if topic_id not in topic_ids:
                raise doc.error(
                    f"unknown topic {topic_id!r}; defined topics: {', '.join(sorted(topic_ids))}",
                    ("telegram", "channels", c_index, "topics", t_index),
                )

    tg = spec.telegram
    return Config(
        file=file,
        sources=tuple(
            Source(
                id=s.id,
                url=s.url,
                kind=s.kind,
                interval_s=max(s.interval, spec.fetch.min_interval),
                jitter_s=s.jitter,
                backfill_s=s.backfill,
                selector=s.selector,
                ignore_robots=s.ignore_robots,
                expect_new_s=s.expect_new,
            )
            for s in spec.sources
        ),
        rules=rules,
        aliases_count=len(doc.data.get("aliases") or {}),
        telegram=TelegramSettings(
            api_base_url=tg.api_base_url.rstrip("/"),
            admins=frozenset(tg.admins),
            channels=tuple((c.chat_id, tuple(c.topics)) for c in tg.channels),
            link_preview=tg.link_preview,
            global_rate=tg.global_rate,
            poll_timeout_s=tg.poll_timeout,
            deliver_every_s=tg.deliver_every,
            token=env.get("TELEGRAM_BOT_TOKEN") or None,
            send_concurrency=tg.send_concurrency,
            send_timeout_s=tg.send_timeout,
            pacing_scale=tg.pacing_scale,
        ),
        fetch=FetchSettings(
            user_agent=spec.fetch.user_agent,
            timeout_s=spec.fetch.timeout,
            max_bytes=spec.fetch.max_bytes,
            max_redirects=spec.fetch.max_redirects,
            max_feed_items=spec.fetch.max_feed_items,
            connect_timeout_s=spec.fetch.connect_timeout,
            host_concurrency=spec.fetch.host_concurrency,
            host_delay_s=spec.fetch.host_delay,
            concurrency=spec.fetch.concurrency,
            min_interval_s=spec.fetch.min_interval,
            backoff_max_s=spec.fetch.backoff_max,
            failures_before_notice=spec.fetch.failures_before_notice,
            story_window_s=spec.fetch.story_window,
            story_similarity=spec.fetch.story_similarity,
            workers=spec.fetch.workers,
        ),
        database_url=env.get("NEWSBOT_DATABASE_URL") or spec.storage.url or DEFAULT_DATABASE_URL,
    )


def _located(doc: LocatedDocument, exc: ValidationError) -> ConfigError:
    """The first pydantic error, worded for a maintainer and placed on its line."""
    first = exc.errors()[0]
    path: KeyPath = tuple(p for p in first["loc"] if isinstance(p, str | int))
    kind = first["type"]
    if kind == "extra_forbidden":
        message = f"unknown key {path[-1]!r}" if path else "unknown key"
    elif kind == "missing":
        message = f"missing required key {path[-1]!r}" if path else "missing key"
    else:
        message = first["msg"].removeprefix("Value error, ")
        if "input" in first and not isinstance(first["input"], dict | list):
            message += f" (got {first['input']!r})"
    return doc.error(message, path)
