"""How newsbot writes counts and articles in English messages: "1 alert", "2 alerts", "an edit"."""

from __future__ import annotations


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` and the noun, singular for exactly one: ``count(1, "alert")`` is "1 alert"."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def a_or_an(word: str) -> str:
    """The word with its indefinite article, by its first letter: "an edit", "a copy"."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"
