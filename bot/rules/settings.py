"""Validators of a topic's plain settings (fields, languages, sources, min_score, tests).

Each takes the raw YAML value and its key path and returns a typed value or raises
``ConfigError`` at that path; ``bot.rules.compile`` calls them while compiling a topic.
"""

from __future__ import annotations

import re
from typing import cast

from bot.errors import ConfigError
from bot.rules.conditions import FIELD_NAMES
from bot.rules.terms import Path, require_text, type_name

_LANGUAGE = re.compile(r"[a-z]{2,3}\Z")


def check_keys(raw: dict[object, object], allowed: tuple[str, ...], path: Path, what: str) -> None:
    """Raise on the first key of ``raw`` not in ``allowed`` (``what`` names the mapping)."""
    for key in raw:
        if key not in allowed:
            raise ConfigError(
                f"unknown key {key!r} in {what} (allowed: {', '.join(allowed)})",
                path=(*path, str(key)),
            )


def positive_int(raw: object, path: Path, what: str) -> int:
    """A whole number >= 1 (not a bool)."""
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        raise ConfigError(f"{what} must be a whole number >= 1, got {raw!r}", path=path)
    return raw


def fields(raw: object, path: Path) -> frozenset[str]:
    """``field:`` (one name or a list) as a set of title, lead, body."""
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise ConfigError("field: is empty", path=path)
    out = set()
    for i, item in enumerate(items):
        where = (*path, i) if isinstance(raw, list) else path
        if item not in FIELD_NAMES:
            raise ConfigError(f"field must be title, lead or body, got {item!r}", path=where)
        out.add(cast(str, item))
    return frozenset(out)


def languages(raw: object, path: Path) -> frozenset[str] | None:
    """``languages:`` as lower-case ISO 639 codes (``None``: every language)."""
    if raw is None:
        return None
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise ConfigError("languages: is empty (leave it out to accept every language)", path=path)
    out = set()
    for i, item in enumerate(items):
        where = (*path, i) if isinstance(raw, list) else path
        code = require_text(item, where, "a language code").lower().split("-")[0]
        if not _LANGUAGE.match(code):
            raise ConfigError(
                f"not a language code: {item!r} (use ISO 639-1, e.g. en, es, uk)", path=where
            )
        out.add(code)
    return frozenset(out)


def sources(raw: object, path: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``sources:`` as (include, exclude) lower-case source ids or domains."""
    if raw is None:
        return (), ()
    if not isinstance(raw, dict):
        raise ConfigError(
            f"sources: must be a mapping with include: and/or exclude:, got {type_name(raw)}",
            path=path,
        )
    check_keys(raw, ("include", "exclude"), path, "sources")
    out: list[tuple[str, ...]] = []
    for key in ("include", "exclude"):
        value = raw.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise ConfigError(f"{key}: must be a list of source ids or domains", path=(*path, key))
        out.append(
            tuple(
                require_text(v, (*path, key, i), "a source id or domain").lower()
                for i, v in enumerate(value)
            )
        )
    return out[0], out[1]


def tests(raw: object, path: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``tests:`` as (match, no_match) example texts."""
    if raw is None:
        return (), ()
    if not isinstance(raw, dict):
        raise ConfigError(
            f"tests: must be a mapping with match: and/or no_match:, got {type_name(raw)}",
            path=path,
        )
    check_keys(raw, ("match", "no_match"), path, "tests")
    out: list[tuple[str, ...]] = []
    for key in ("match", "no_match"):
        value = raw.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise ConfigError(f"{key}: must be a list of example texts", path=(*path, key))
        out.append(
            tuple(require_text(v, (*path, key, i), "an example text") for i, v in enumerate(value))
        )
    return out[0], out[1]


def min_score(raw: object, path: Path) -> float:
    """``min_score:`` as a float (0 when absent); a number >= 0."""
    if raw is None:
        return 0.0
    if isinstance(raw, bool) or not isinstance(raw, int | float) or raw < 0:
        raise ConfigError(f"min_score must be a number >= 0, got {raw!r}", path=path)
    return float(raw)
