"""Guess the ISO 639-1 language of an article from its own text, not from the site's markup."""

from __future__ import annotations

import re

import py3langid

_HTML_LANG = re.compile(r"^([a-z]{2})\b", re.I)
# Below this many letters the text says too little; the page's declared language is used.
_MIN_LETTERS = 40
_SAMPLE = 600
_LETTER = re.compile(r"[^\W\d_]")


def detect_language(text: str, declared: str | None = None) -> str | None:
    """The language of ``text``; ``declared`` (e.g. ``<html lang="es-ES">``) when text is short."""
    sample = text[:_SAMPLE]
    letters = len(_LETTER.findall(sample, 0, _MIN_LETTERS * 4))
    if letters >= _MIN_LETTERS:
        code, _score = py3langid.classify(sample)
        return str(code)
    if declared:
        match = _HTML_LANG.match(declared.strip())
        if match:
            return match.group(1).lower()
    return None
