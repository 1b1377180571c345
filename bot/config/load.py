"""Read a config file, validate it and return a typed ``Config``; errors name file, line and key."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from pydantic import ValidationError

from bot.config.located_yaml import KeyPath, LocatedDocument, load_located
from bot.config.schema import ConfigSpec, SourceSpec
from bot.errors import ConfigError
from bot.model import Source

if TYPE_CHECKING:
    from bot.rules import RuleSet

DEFAULT_CONFIG = Path("config") / "newsbot.yaml"
DEFAULT_DATABASE_URL = "sqlite:///data/newsbot.db"
MAX_CONFIG_BYTES = 4_000_000  # a config is a few KB; this only stops a runaway file


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
    workers: int = 0  # bot's thread + workers-1 forked; 0: per core


@dataclass(frozen=True, slots=True)
class WebSettings:
    """``web:``: where the web app listens (``NEWSBOT_WEB_LISTEN`` or ``web.listen``; None: not
    served by ``run``), its access token (``web.token`` or ``NEWSBOT_WEB_TOKEN``), how long
    articles' cleaned text is kept for the workbench."""

    listen: str | None = None
    token: str | None = field(default=None, repr=False)
    keep_text_s: float = 7 * 86400.0


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
    web: WebSettings = field(default_factory=WebSettings)
    example_lines: Mapping[KeyPath, int] = field(
        default_factory=lambda: MappingProxyType({}), repr=False, compare=False
    )
    """The line of each topic ``tests:`` example, by key path (``topics, i, tests, match, j``)."""

    def source(self, source_id: str) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)

    def topic_test_failures(self) -> list[ConfigError]:
        """The topics' failing ``tests:`` examples, each located at ``file:line: key path``."""
        located = []
        for failure in self.rules.check_examples():
            path: KeyPath = (
                "topics",
                failure.topic_index,
                "tests",
                failure.expected,
                failure.index,
            )
            line = self.example_lines.get(path)
            located.append(ConfigError(str(failure), file=self.file, line=line, path=path))
        return located


def default_config_path(env: Mapping[str, str]) -> Path:
    return Path(env.get("NEWSBOT_CONFIG") or DEFAULT_CONFIG)


def load_config(path: Path | str, env: Mapping[str, str] | None = None) -> Config:
    """Read and validate ``path``. Raises ``ConfigError`` with file, line and key path."""
    env = os.environ if env is None else env
    return parse_config(read_config_text(Path(path)), file=str(path), env=env)


def read_config_text(path: Path) -> str:
    """The config file as text: a regular file, at most ``MAX_CONFIG_BYTES``, UTF-8."""
    file = str(path)
    try:
        if path.exists() and not path.is_file():  # a directory, or a FIFO that would block
            raise ConfigError("not a regular file", file=file)
        with path.open("rb") as stream:
            data = stream.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError("config file not found", file=file) from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file: {exc.strerror or exc}", file=file) from exc
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"config file is larger than {MAX_CONFIG_BYTES:,} bytes", file=file)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = f"not UTF-8: byte 0x{data[exc.start]:02x}; save the file as UTF-8"
        raise ConfigError(message, file=file, line=line) from None


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

    _check_references(doc, spec, rules)
    return Config(
        file=file,
        sources=tuple(_source(s, spec.fetch.min_interval) for s in spec.sources),
        rules=rules,
        aliases_count=len(doc.data.get("aliases") or {}),
        telegram=_telegram_settings(spec, env),
        fetch=_fetch_settings(spec),
        database_url=env.get("NEWSBOT_DATABASE_URL") or spec.storage.url or DEFAULT_DATABASE_URL,
        web=_web_settings(doc, spec, env, file),
        example_lines=MappingProxyType(
            {p: n for p, n in doc.lines.items() if p[:1] == ("topics",) and p[2:3] == ("tests",)}
        ),
    )


def _web_settings(
    doc: LocatedDocument, spec: ConfigSpec, env: Mapping[str, str], file: str
) -> WebSettings:
    """``web:`` with its environment overrides; off loopback a token is required."""
    web_token = spec.web.token or (env.get("NEWSBOT_WEB_TOKEN") or "").strip() or None
    web_listen = (env.get("NEWSBOT_WEB_LISTEN") or "").strip() or spec.web.listen
    if web_listen and not re.fullmatch(r"\S+:\d{1,5}", web_listen):
        raise ConfigError(f"NEWSBOT_WEB_LISTEN: {web_listen!r} is not host:port", file=file)
    if web_listen and not web_token and not is_loopback(web_listen):
        raise doc.error(
            f"{web_listen} is not a loopback address: set web.token (or NEWSBOT_WEB_TOKEN)"
            " so that only holders of the token can use the web app",
            ("web", "listen"),
        )
    return WebSettings(listen=web_listen, token=web_token, keep_text_s=spec.web.keep_text)


def _check_references(doc: LocatedDocument, spec: ConfigSpec, rules: RuleSet) -> None:
    """Source ids are unique and every channel's topics are defined."""
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


def _source(s: SourceSpec, min_interval: float) -> Source:
    return Source(
        id=s.id,
        url=s.url,
        kind=s.kind,
        interval_s=max(s.interval, min_interval),
        jitter_s=s.jitter,
        backfill_s=s.backfill,
        selector=s.selector,
        ignore_robots=s.ignore_robots,
        expect_new_s=s.expect_new,
    )


def _telegram_settings(spec: ConfigSpec, env: Mapping[str, str]) -> TelegramSettings:
    tg = spec.telegram
    return TelegramSettings(
        api_base_url=tg.api_base_url.rstrip("/"),
        admins=frozenset(tg.admins),
        channels=tuple((c.chat_id, tuple(c.topics)) for c in tg.channels),
        link_preview=tg.link_preview,
        global_rate=tg.global_rate,
        poll_timeout_s=tg.poll_timeout,
        deliver_every_s=tg.deliver_every,
        # docker compose passes an empty value when .env is missing: that is no token.
        token=(env.get("TELEGRAM_BOT_TOKEN") or "").strip() or None,
        send_concurrency=tg.send_concurrency,
        send_timeout_s=tg.send_timeout,
        pacing_scale=tg.pacing_scale,
    )


def _fetch_settings(spec: ConfigSpec) -> FetchSettings:
    f = spec.fetch
    return FetchSettings(
        user_agent=f.user_agent,
        timeout_s=f.timeout,
        max_bytes=f.max_bytes,
        max_redirects=f.max_redirects,
        max_feed_items=f.max_feed_items,
        connect_timeout_s=f.connect_timeout,
        host_concurrency=f.host_concurrency,
        host_delay_s=f.host_delay,
        concurrency=f.concurrency,
        min_interval_s=f.min_interval,
        backoff_max_s=f.backoff_max,
        failures_before_notice=f.failures_before_notice,
        story_window_s=f.story_window,
        story_similarity=f.story_similarity,
        workers=f.workers,
    )


def split_listen(listen: str) -> tuple[str, int]:
    """``"127.0.0.1:8080"`` → ``("127.0.0.1", 8080)``; ``"[::1]:8080"`` → ``("::1", 8080)``."""
    host, _, port = listen.rpartition(":")
    return host.strip("[]"), int(port)


def is_loopback(listen: str) -> bool:
    """Whether ``host:port`` binds only the loopback interface (``localhost`` included)."""
    host, _ = split_listen(listen)
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name or an interface we cannot vouch for


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
