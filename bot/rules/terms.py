"""One term of the rule language — a word, a phrase or a prefix — and its automaton key.

``word`` matches a whole token, ``"two words"`` consecutive tokens, ``prefix*`` a token that
starts with ``prefix`` (at least three letters, so ``a*`` cannot match everything). The key is
the term's token string without the trailing space for a prefix: ``" face to face "``,
``" зеленськ"``; found in an article's token string it can only start at a token boundary.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import ConfigError
from bot.rules.text import token_string

MIN_PREFIX = 3

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Term:
    """A compiled term: as written in the config, its key and its id in the automaton."""

    text: str
    key: str
    pid: int
    prefix: bool
    ntokens: int


@dataclass(frozen=True, slots=True)
class TermSyntax:
    """A parsed term before it gets an automaton id."""

    text: str
    key: str
    prefix: bool
    ntokens: int


def parse_term(raw: object, path: Path) -> TermSyntax:
    """Validate one term as written in YAML; raise ``ConfigError`` at ``path`` if it is unusable."""
    text = require_text(raw, path, "a term")
    body = text
    prefix = body.endswith("*")
    if prefix:
        body = body[:-1]
    if "*" in body:
        raise ConfigError(f"'*' is only allowed at the end of a term: {text!r}", path=path)
    if prefix and (not body or not body[-1].isalnum()):
        raise ConfigError(f"'*' must directly follow a letter or digit: {text!r}", path=path)
    tokens = token_string(body).split()
    if not tokens:
        raise ConfigError(f"term {text!r} has no letters or digits", path=path)
    if prefix and len(tokens[-1]) < MIN_PREFIX:
        raise ConfigError(
            f"prefix {text!r} is too short: write at least {MIN_PREFIX} letters before '*'"
            " (in Chinese or Japanese every character is a token: write the term without '*')",
            path=path,
        )
    key = " " + " ".join(tokens) + ("" if prefix else " ")
    return TermSyntax(text=text, key=key, prefix=prefix, ntokens=len(tokens))


def require_text(raw: object, path: Path, what: str) -> str:
    """``raw`` as a non-empty stripped string, or a ``ConfigError`` that says what it was."""
    if isinstance(raw, bool):
        raise ConfigError(
            f"expected {what}, got the boolean {str(raw).lower()}"
            " (YAML reads yes/no/on/off/true/false as booleans: quote it)",
            path=path,
        )
    if isinstance(raw, int | float):
        raise ConfigError(f"expected {what}, got the number {raw!r} (quote it)", path=path)
    if not isinstance(raw, str):
        raise ConfigError(f"expected {what}, got {type_name(raw)}", path=path)
    text = raw.strip()
    if not text:
        raise ConfigError(f"expected {what}, got an empty string", path=path)
    return text


def type_name(raw: object) -> str:
    """How a YAML value is called in error messages."""
    if raw is None:
        return "nothing (null)"
    if isinstance(raw, dict):
        return "a mapping"
    if isinstance(raw, list):
        return "a list"
    if isinstance(raw, str):
        return "a string"
    if isinstance(raw, bool):
        return "a boolean"
    if isinstance(raw, int | float):
        return "a number"
    return type(raw).__name__
