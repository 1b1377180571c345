"""The Rules page's work: validate an edited config as ``newsbot check`` does, run its topics'
``tests:``, backtest its rules on the kept articles of the last days, and save it atomically
(a backup kept) through the bot's reload path (the one SIGHUP takes)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import Config, parse_config
from bot.errors import ConfigError
from bot.sources.canonical import host_of
from bot.store.workbench import DAY_S, KeptArticle, kept_articles
from bot.web.context import WebContext

BACKTEST_LIMIT = 500  # newest kept articles a backtest reads


@dataclass(frozen=True, slots=True)
class Change:
    """One kept article whose topics differ between then (when recorded) and now (the edit)."""

    kept: KeptArticle
    now: tuple[str, ...]
    gained: tuple[str, ...]
    lost: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Verdict:
    """What an edited config amounts to: its errors, or its tests and backtest."""

    errors: tuple[str, ...] = ()
    config: Config | None = None
    days: int = 7
    articles: int = 0
    matching: tuple[Change, ...] = ()
    changes: tuple[Change, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def gained(self) -> int:
        return sum(1 for c in self.changes if c.gained)

    @property
    def lost(self) -> int:
        return sum(1 for c in self.changes if c.lost)


def judge(ctx: WebContext, text: str, days: int) -> Verdict:
    """Validate ``text`` (located errors, as ``newsbot check``), run its tests, backtest it."""
    file = str(ctx.config_path or ctx.config().file)
    try:
        config = parse_config(text, file=file)
    except ConfigError as exc:
        return Verdict(errors=(str(exc),), days=days)
    failures = config.topic_test_failures()
    if failures:
        return Verdict(errors=tuple(str(f) for f in failures), config=config, days=days)
    kept = kept_articles(ctx.store.db, since=ctx.clock() - days * DAY_S, limit=BACKTEST_LIMIT)
    rows = []
    for one in kept:
        url = one.article.url
        found = config.rules.match(
            one.article, source_id=one.source_id, source_host=host_of(url) if url else None
        )
        now = tuple(sorted({m.topic_id for m in found}))
        rows.append(
            Change(
                kept=one,
                now=now,
                gained=tuple(t for t in now if t not in one.matched),
                lost=tuple(t for t in one.matched if t not in now),
            )
        )
    return Verdict(
        config=config,
        days=days,
        articles=len(kept),
        matching=tuple(r for r in rows if r.now),
        changes=tuple(r for r in rows if r.gained or r.lost),
    )


def write_atomically(path: Path, text: str) -> Path:
    """Replace ``path`` with ``text`` in one step (a temporary file renamed over it), keeping
    the previous file as ``<name>.bak``; returns the backup's path."""
    backup = path.with_name(path.name + ".bak")
    old = path.read_bytes()
    mode = path.stat().st_mode & 0o777
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(text.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp, mode)
        backup.write_bytes(old)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return backup
